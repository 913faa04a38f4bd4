import type { WebSocket } from 'ws';
import type { FrameBytes } from './channels.ts';
import type { Frame } from './frames.ts';

/** Bytes handed to `ws` are still a text frame. */
const AS_TEXT = { binary: false } as const;

/** What a connection needs from the transport that owns it. */
export interface ConnectionHost {
  /** Bytes a socket may have unsent from earlier turns of the event loop before it counts as a slow reader. */
  readonly maxBufferedBytes: number;
  /** Remembers a corked socket to uncork when this turn of the event loop ends. */
  corked(conn: RealtimeConnection): void;
  join(channel: string, conn: RealtimeConnection): Promise<void>;
  leave(channel: string, conn: RealtimeConnection): void;
  /** Closes the socket (code and reason as the WebSocket protocol has them) and forgets the connection. */
  drop(conn: RealtimeConnection, code?: number, reason?: string, why?: string): void;
}

/** Frames held for a connection before `hello` (or a module's catch-up) before it is dropped: it will reconnect and resume. */
export const MAX_QUEUED_FRAMES = 10_000;

/**
 * One open socket of one signed-in person: what modules see of it. Modules keep their own
 * per-connection state in `local` (messaging's seq cursors), join it to channels, and send.
 */
export class RealtimeConnection {
  ready = false;
  alive = true;
  closed = false;
  /** Frames that arrived before `hello` finished: let through once it has. */
  early: Array<[Frame, FrameBytes | undefined]> = [];
  readonly channels = new Set<string>();
  tokens: number;
  refilledAt = Date.now();
  violations = 0;
  inFlight = 0;
  chain: Promise<void> = Promise.resolve();
  /** The personal channel's subscription is in place (hello waits for it, so nothing published after `ready` is missed). */
  subscribed: Promise<void> = Promise.resolve();
  /** Frames sent in this turn of the event loop are held and written together (see `cork`). */
  isCorked = false;
  /** Bytes still unsent from earlier turns when this turn's first frame was sent. */
  backlog = 0;
  private readonly locals = new Map<symbol, unknown>();

  constructor(
    readonly ws: WebSocket,
    readonly userId: string,
    /** The session it signed in with: logging out or expiry closes the socket. */
    readonly session: string,
    burst: number,
    private readonly host: ConnectionHost,
  ) {
    this.tokens = burst;
  }

  /** A module's own state for this connection, made on first use. */
  local<T>(key: symbol, init: () => T): T {
    let v = this.locals.get(key) as T | undefined;
    if (v === undefined) {
      v = init();
      this.locals.set(key, v);
    }
    return v;
  }

  send(frame: Frame) {
    this.sendText(JSON.stringify(frame));
  }

  /** Sends JSON already made (a channel's frame is serialised and encoded once for everyone). */
  sendText(text: FrameBytes) {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    // A client that does not read would make the server buffer without limit: cut it off. What
    // counts is what is still unsent from earlier turns of the event loop: a batch may hand one
    // connection many frames in this turn, and those are written when the turn ends.
    if (this.cork() > this.host.maxBufferedBytes) {
      this.ws.terminate();
      this.host.drop(this, undefined, undefined, 'slow websocket reader disconnected');
      return;
    }
    this.ws.send(text, AS_TEXT);
  }

  /**
   * Writes frames already encoded for the wire (a room's pass, shared by every member) straight to
   * the socket; false when `ws` itself holds something back (then the caller sends frame by frame,
   * through `ws`, so nothing is reordered). Same slow-reader rule as `sendText`.
   */
  sendWire(wire: Buffer): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return true;
    const inner = this.ws as unknown as { _socket?: { write(b: Buffer): boolean }; _sender?: { _state?: number; _queue?: unknown[] } };
    const socket = inner._socket;
    if (!socket || inner._sender?._state !== 0 || inner._sender._queue?.length) return false;
    if ((this.isCorked ? this.backlog : this.ws.bufferedAmount) > this.host.maxBufferedBytes) {
      this.ws.terminate();
      this.host.drop(this, undefined, undefined, 'slow websocket reader disconnected');
      return true;
    }
    socket.write(wire);
    return true;
  }

  error(code: string, detail: string, extra: { clientMsgId?: string; field?: string } = {}) {
    this.send({ type: 'error', code, detail, ...extra } as Frame);
  }

  /** Starts receiving what is published on `channel` (a person, a conversation, a live room, a watch session). */
  join(channel: string): Promise<void> {
    if (this.closed || this.channels.has(channel)) return Promise.resolve();
    this.channels.add(channel);
    return this.host.join(channel, this);
  }

  leave(channel: string) {
    if (!this.channels.delete(channel)) return;
    this.host.leave(channel, this);
  }

  /** Too far behind to hold more for it: it reconnects and resumes from what it has. */
  overflow() {
    this.host.drop(this, 1013, 'fell behind; reconnect and resume', 'websocket fell too far behind; closing');
  }

  /**
   * A batch sends a connection many frames at once (acks, its own echoes, others' messages).
   * Corking its socket until the end of this turn of the event loop writes them with one
   * syscall instead of one each (`ws` corks around every frame itself; corks nest).
   * Returns the bytes still unsent from earlier turns.
   */
  private cork(): number {
    if (this.isCorked) return this.backlog;
    this.backlog = this.ws.bufferedAmount;
    const socket = (this.ws as unknown as { _socket?: { cork(): void } })._socket;
    if (!socket) return this.backlog;
    socket.cork();
    this.isCorked = true;
    this.host.corked(this);
    return this.backlog;
  }

  /** Writes what this turn corked (the transport calls it once the turn ends; a room's pass, as soon as this member has its frames). */
  uncork() {
    if (!this.isCorked) return;
    this.isCorked = false;
    (this.ws as unknown as { _socket?: { uncork(): void } })._socket?.uncork();
  }
}
