import WebSocket from 'ws';

/**
 * A chat client that behaves as the web app does: it reconnects whenever its socket drops,
 * says what it has with `hello.resume`, and re-sends every message not yet acknowledged with
 * the same clientMsgId. It records every message frame, so tests can check exactly-once.
 */
export class ResilientClient {
  readonly lastSeq = new Map<string, number>();
  /** Every seq received per conversation, duplicates included. */
  readonly received = new Map<string, number[]>();
  readonly acked = new Map<string, { conversationId: string; seq: number; messageId: string }>();
  readonly pending = new Map<string, { conversationId: string; text: string }>();
  readonly errors: any[] = [];
  readonly outOfOrder: string[] = [];
  resyncs = 0;
  connects = 0;
  private ws: WebSocket | null = null;
  private ready = false;
  private stopped = false;
  private listeners = new Set<() => void>();

  constructor(
    private readonly urlFor: () => string,
    private readonly token: string,
    conversationIds: string[],
  ) {
    for (const id of conversationIds) this.lastSeq.set(id, 0);
  }

  start() {
    this.connect();
  }

  private notify() {
    for (const l of [...this.listeners]) l();
  }

  private connect() {
    if (this.stopped) return;
    const ws = new WebSocket(`${this.urlFor().replace(/^http/, 'ws')}/api/v1/ws`, { headers: { authorization: `Bearer ${this.token}` } });
    this.ws = ws;
    ws.on('error', () => {});
    ws.on('open', () => {
      this.connects += 1;
      ws.send(JSON.stringify({ type: 'hello', resume: Object.fromEntries(this.lastSeq) }));
    });
    ws.on('message', (data) => this.onFrame(JSON.parse(String(data))));
    ws.on('close', () => {
      this.ready = false;
      if (this.ws === ws) this.ws = null;
      if (!this.stopped) setTimeout(() => this.connect(), 100 + Math.random() * 150);
    });
  }

  private onFrame(f: any) {
    switch (f.type) {
      case 'ready':
        this.ready = true;
        // Everything not acknowledged goes again, under the same clientMsgId.
        for (const [clientMsgId, p] of this.pending) this.ws?.send(JSON.stringify({ type: 'send', conversationId: p.conversationId, clientMsgId, text: p.text }));
        break;
      case 'ack':
        if (this.pending.delete(f.clientMsgId)) this.acked.set(f.clientMsgId, { conversationId: f.conversationId, seq: f.seq, messageId: f.messageId });
        break;
      case 'message': {
        const { conversationId, seq } = f.message;
        const list = this.received.get(conversationId) ?? [];
        list.push(seq);
        this.received.set(conversationId, list);
        const last = this.lastSeq.get(conversationId) ?? 0;
        if (seq !== last + 1) this.outOfOrder.push(`${conversationId}: got ${seq} after ${last}`);
        this.lastSeq.set(conversationId, Math.max(last, seq));
        break;
      }
      case 'resync':
        this.resyncs += 1;
        break;
      case 'error':
        this.errors.push(f);
        break;
    }
    this.notify();
  }

  send(conversationId: string, clientMsgId: string, text: string) {
    this.pending.set(clientMsgId, { conversationId, text });
    if (this.ready) this.ws?.send(JSON.stringify({ type: 'send', conversationId, clientMsgId, text }));
  }

  /** Resolves when `done()` holds, re-checked on every frame and every 100 ms. */
  until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        this.listeners.delete(check);
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      };
      const poll = setInterval(check, 100);
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        clearInterval(poll);
        reject(new Error(`timed out: ${what}`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  stop() {
    this.stopped = true;
    this.ws?.close();
  }
}
