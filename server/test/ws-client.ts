import WebSocket from 'ws';

/** A test WebSocket client: collects every frame, waits for the ones a test expects. */
export interface WsClient {
  ws: WebSocket;
  frames: any[];
  send(frame: unknown): void;
  sendRaw(data: string | Buffer): void;
  /** Resolves with the first frame (already received or arriving) that matches. */
  waitFor(match: (f: any) => boolean, timeoutMs?: number, what?: string): Promise<any>;
  /** Resolves once `count` frames match. */
  waitForCount(match: (f: any) => boolean, count: number, timeoutMs?: number): Promise<any[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function wsUrl(httpUrl: string, token?: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/api/v1/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export async function connectWs(httpUrl: string, opts: { token?: string; headers?: Record<string, string>; hello?: boolean | Record<string, number> } = {}): Promise<WsClient> {
  const ws = new WebSocket(wsUrl(httpUrl), { headers: { ...(opts.token && { authorization: `Bearer ${opts.token}` }), ...opts.headers } });
  const frames: any[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    try {
      frames.push(JSON.parse(String(data)));
    } catch {
      frames.push({ type: '__unparseable__', data: String(data) });
    }
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      for (const w of [...waiters]) w();
    });
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });

  const waitForCount = (match: (f: any) => boolean, count: number, timeoutMs = 10_000) =>
    new Promise<any[]>((resolve, reject) => {
      const check = () => {
        const hits = frames.filter(match);
        if (hits.length >= count) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hits);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${count} frames; have ${frames.filter(match).length}; last: ${JSON.stringify(frames.slice(-3))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const client: WsClient = {
    ws,
    frames,
    send: (frame) => ws.send(JSON.stringify(frame)),
    sendRaw: (data) => ws.send(data),
    waitFor: async (match, timeoutMs, _what) => (await waitForCount(match, 1, timeoutMs))[0],
    waitForCount,
    closed,
    close: () => ws.close(),
  };
  if (opts.hello !== false) {
    client.send(opts.hello && typeof opts.hello === 'object' ? { type: 'hello', resume: opts.hello } : { type: 'hello' });
    await client.waitFor((f) => f.type === 'ready');
  }
  return client;
}

/** Resolves after `ms`: only for "nothing else arrives" checks, never as a timing assertion. */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
