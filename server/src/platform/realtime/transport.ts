import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ZodType } from 'zod';
import type { PubSub } from '../pubsub/pubsub.ts';
import { ChannelHub, type ChannelMember, type FrameBytes, type PassCache } from './channels.ts';
import { type ConnectionHost, MAX_QUEUED_FRAMES, RealtimeConnection } from './connection.ts';
import { buildFrameRegistry, type ClientFrameHandler, type Frame, type FrameRegistry, type RealtimeFeature } from './frames.ts';

/** Largest frame a client may send; `ws` closes the socket with 1009 past it. */
export const WS_MAX_PAYLOAD = 64 * 1024;
/** Close code for a socket whose session ended: the client must sign in again, not just reconnect. */
export const WS_CLOSE_SIGNED_OUT = 4001;
/** Over-budget frames tolerated before a flooding socket is closed. */
const MAX_BUDGET_VIOLATIONS = 200;
/** Frames being processed per connection before further ones are refused. */
const MAX_IN_FLIGHT = 64;

export interface RealtimeLimits {
  /** Ping interval; a socket that misses one pong is dropped. */
  heartbeatMs: number;
  /** How often open sockets' sessions are checked (expired ones are closed with 4001). */
  sessionRecheckMs: number;
  /** Frame budget per connection: a token bucket. */
  framesPerSec: number;
  frameBurst: number;
  maxBufferedBytes: number;
}

/** Sessions as the transport needs them (the accounts module answers; the transport knows no accounts). */
export interface SessionPort {
  /** Which of these sessions still stand. */
  liveKeys(keys: readonly string[]): Promise<Set<string>>;
  /** Calls `fn` with every session revoked from now on, on any node. */
  onRevoked(fn: (key: string) => void): void;
}

export interface RealtimeOptions<C> {
  ctx: C;
  pubsub: PubSub;
  log: Logger;
  limits: RealtimeLimits;
  features: ReadonlyArray<RealtimeFeature<C>>;
  /** Checks `hello` (its fields belong to the app's contract). */
  helloSchema: ZodType<Frame>;
  sessions?: SessionPort;
  /** The channel of a person: every socket of theirs joins it at once. */
  personalChannel(userId: string): string;
  /** Sockets a room hands frames to per turn of the event loop (default FAN_OUT_CHUNK). */
  fanOutChunk?: number;
  /** Told when a person's socket opens, sends anything, and closes (who is using the app now; push asks it). */
  presence?: { opened(userId: string): void; touch(userId: string): void; closed(userId: string): void };
  /** A thrown error as the `error` frame the client may see, or null to log it and answer internal_error. */
  describeError(err: unknown): { code: string; detail: string; field?: string } | null;
}

/**
 * The WebSocket transport of the real-time core: takes authenticated sockets, keeps them alive
 * (heartbeats), enforces each connection's budgets (frames per second, frames in flight,
 * unsent bytes for slow readers), closes those whose session ended, parses every client frame
 * and hands it to the module that registered its type, and delivers what is published on the
 * channels its sockets joined. Per-node state only; pub/sub carries frames between nodes.
 */
export class RealtimeServer<C> implements ConnectionHost {
  readonly hub: ChannelHub;
  readonly registry: FrameRegistry<C>;
  readonly maxBufferedBytes: number;
  private readonly connections = new Set<RealtimeConnection>();
  private readonly corkedNow: RealtimeConnection[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly frameTypes: string;
  private readonly members = new WeakMap<RealtimeConnection, ChannelMember>();

  constructor(private readonly opts: RealtimeOptions<C>) {
    this.registry = buildFrameRegistry(opts.features);
    this.hub = new ChannelHub(opts.pubsub, opts.log, opts.fanOutChunk);
    this.maxBufferedBytes = opts.limits.maxBufferedBytes;
    this.frameTypes = ['hello', ...this.registry.client.keys(), 'ping'].join(', ');
    const heartbeat = setInterval(() => this.beat(), opts.limits.heartbeatMs);
    this.timers.push(heartbeat);
    if (opts.sessions) {
      const sessions = opts.sessions;
      // Sessions expire while sockets stay open (logouts close theirs at once, below).
      this.timers.push(setInterval(() => void this.recheckSessions(sessions), opts.limits.sessionRecheckMs));
      sessions.onRevoked((key) => {
        for (const conn of this.connections) if (conn.session === key) this.signOut(conn);
      });
    }
    for (const t of this.timers) t.unref();
    opts.pubsub.onReconnect?.(() => void this.resyncAll());
  }

  get size(): number {
    return this.connections.size;
  }

  /** Takes over an authenticated socket; it joins its person's channel at once. */
  accept(ws: WebSocket, identity: { userId: string; session: string }): RealtimeConnection {
    const conn = new RealtimeConnection(ws, identity.userId, identity.session, this.opts.limits.frameBurst, this);
    this.connections.add(conn);
    this.opts.presence?.opened(conn.userId);
    this.members.set(conn, {
      receive: (frame, text) => this.deliver(conn, frame, text),
      flush: () => conn.uncork(),
      receivePass: (frames, shared) => this.deliverPass(conn, frames, shared),
    });
    conn.subscribed = conn.join(this.opts.personalChannel(identity.userId));
    ws.on('message', (data, isBinary) => this.receive(conn, data as Buffer, isBinary));
    ws.on('pong', () => {
      conn.alive = true;
    });
    // ws reports oversized frames and protocol errors here, then closes the socket itself.
    ws.on('error', (err) => this.opts.log.debug({ err: err.message, userId: conn.userId }, 'websocket error'));
    ws.on('close', () => this.forget(conn));
    return conn;
  }

  async close() {
    for (const t of this.timers) clearInterval(t);
    for (const conn of this.connections) conn.ws.terminate();
  }

  // ------------------------------------------------------------ ConnectionHost

  corked(conn: RealtimeConnection) {
    if (this.corkedNow.push(conn) === 1) setImmediate(() => this.uncorkAll());
  }

  join(channel: string, conn: RealtimeConnection): Promise<void> {
    return this.hub.join(channel, this.members.get(conn)!);
  }

  leave(channel: string, conn: RealtimeConnection) {
    const member = this.members.get(conn);
    if (member) this.hub.leave(channel, member);
  }

  drop(conn: RealtimeConnection, code?: number, reason?: string, why?: string) {
    if (why) this.opts.log.info({ userId: conn.userId }, why);
    if (code !== undefined) conn.ws.close(code, reason);
    this.forget(conn);
  }

  // ------------------------------------------------------------ lifecycle

  private forget(conn: RealtimeConnection) {
    if (conn.closed) return;
    conn.closed = true;
    this.connections.delete(conn);
    this.opts.presence?.closed(conn.userId);
    for (const channel of [...conn.channels]) conn.leave(channel);
    conn.early.length = 0;
  }

  private uncorkAll() {
    for (const conn of this.corkedNow.splice(0)) conn.uncork();
  }

  private signOut(conn: RealtimeConnection) {
    this.drop(conn, WS_CLOSE_SIGNED_OUT, 'session ended; sign in again');
  }

  /** Sessions expire while sockets stay open: close those whose session is gone. */
  private async recheckSessions(sessions: SessionPort) {
    const open = [...this.connections];
    if (open.length === 0) return;
    try {
      const live = await sessions.liveKeys([...new Set(open.map((c) => c.session))]);
      for (const conn of open) if (!live.has(conn.session)) this.signOut(conn);
    } catch (err) {
      this.opts.log.warn({ err }, 'session re-check failed; will retry');
    }
  }

  private beat() {
    for (const conn of this.connections) {
      if (!conn.alive) {
        conn.ws.terminate();
        this.forget(conn);
        continue;
      }
      conn.alive = false;
      try {
        conn.ws.ping();
      } catch {
        this.forget(conn);
      }
    }
  }

  // ------------------------------------------------------------ outgoing

  /** A frame from a channel for this connection, with the JSON every member shares. */
  private deliver(conn: RealtimeConnection, frame: Frame, text: FrameBytes | undefined) {
    if (conn.closed) return;
    if (!conn.ready) {
      if (conn.early.length >= MAX_QUEUED_FRAMES) return conn.overflow();
      conn.early.push([frame, text]);
      return;
    }
    const filter = this.registry.outgoing.get(frame.type);
    if (filter && !filter(this.opts.ctx, conn, frame, text)) return;
    conn.sendText(text ?? JSON.stringify(frame));
  }

  /**
   * A room's frames to one connection (what it has not had yet). When none of them has an outgoing pass
   * (those act per connection) and the connection is past its hello, they go as WebSocket frames
   * encoded once for every member handed the same frames: one write of shared bytes per socket, instead of
   * framing each frame again for each of 10,000 sockets (most of a big room's fan-out cost).
   */
  private deliverPass(conn: RealtimeConnection, frames: ReadonlyArray<readonly [Frame, FrameBytes]>, shared: PassCache): boolean {
    if (conn.closed) return true;
    if (!conn.ready) return false;
    if (shared.wire === undefined) {
      const filtered = frames.some(([frame]) => this.registry.outgoing.has(frame.type));
      shared.wire = filtered ? null : Buffer.concat(frames.map(([frame, bytes]) => wsTextFrame(typeof bytes === 'string' || !bytes ? Buffer.from(bytes ?? JSON.stringify(frame)) : bytes)));
    }
    return shared.wire !== null && conn.sendWire(shared.wire);
  }

  // ------------------------------------------------------------ incoming

  private spendToken(conn: RealtimeConnection): boolean {
    const { framesPerSec, frameBurst } = this.opts.limits;
    const now = Date.now();
    conn.tokens = Math.min(frameBurst, conn.tokens + ((now - conn.refilledAt) / 1000) * framesPerSec);
    conn.refilledAt = now;
    if (conn.tokens >= 1) {
      conn.tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * A frame refused for the connection's budget. A refused frame the client waits an answer for
   * (an `ackField`) always gets an `error` naming it, so the client knows to retry rather than
   * wait; other frames get one error per few refusals, enough to tell a client to slow down.
   */
  private flooded(conn: RealtimeConnection, detail: string, ackId?: string) {
    conn.violations += 1;
    if (conn.violations > MAX_BUDGET_VIOLATIONS) return this.drop(conn, 1008, 'too many frames');
    if (ackId) conn.error('rate_limited', detail, { clientMsgId: ackId });
    else if (conn.violations % 10 === 1) conn.error('rate_limited', detail);
  }

  /** The id a refusal should name, read from a frame however malformed the rest. */
  private ackIdOf(raw: unknown, handler: ClientFrameHandler<C> | undefined): string | undefined {
    if (!handler?.ackField || !raw || typeof raw !== 'object') return undefined;
    const v = (raw as Record<string, unknown>)[handler.ackField];
    return typeof v === 'string' ? v.slice(0, 64) : undefined;
  }

  private receive(conn: RealtimeConnection, data: Buffer, isBinary: boolean) {
    conn.alive = true;
    if (conn.closed) return;
    this.opts.presence?.touch(conn.userId);
    if (isBinary) {
      if (!this.spendToken(conn)) return this.flooded(conn, 'Too many frames; slow down');
      return conn.error('malformed_frame', 'Frames are JSON text');
    }
    // Parsed before the budget check so that a refused frame can be named (frames are ≤ 64 KiB).
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString('utf8'));
    } catch {
      raw = undefined;
    }
    const type = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { type?: unknown }).type : undefined;
    const handler = typeof type === 'string' ? this.registry.client.get(type) : undefined;
    if (!this.spendToken(conn)) return this.flooded(conn, 'Too many frames; slow down', this.ackIdOf(raw, handler));
    if (raw === undefined) return conn.error('malformed_frame', 'A frame must be one JSON object');
    if (type === 'ping') return conn.send({ type: 'pong' });
    if (type === 'hello') return this.receiveHello(conn, raw);
    if (!handler) return conn.error('unknown_frame_type', `type: must be one of ${this.frameTypes}`, { field: 'type' });
    const parsed = handler.schema.safeParse(raw);
    if (!parsed.success) return this.invalid(conn, raw, parsed.error.issues[0]);
    if (!conn.ready) return conn.error('hello_required', 'Send hello first');
    const frame = parsed.data;
    const mode = handler.mode ?? 'sequential';
    if (mode === 'uncounted') {
      this.run(conn, handler, frame);
      return;
    }
    if (conn.inFlight >= MAX_IN_FLIGHT) return this.flooded(conn, 'Too many frames waiting; wait for acks', this.ackIdOf(raw, handler));
    conn.inFlight += 1;
    const done = () => {
      conn.inFlight -= 1;
    };
    if (mode === 'concurrent') {
      this.run(conn, handler, frame).finally(done);
      return;
    }
    conn.chain = conn.chain.then(() => (conn.closed ? undefined : this.run(conn, handler, frame))).finally(done);
  }

  private invalid(conn: RealtimeConnection, raw: unknown, issue: { path: PropertyKey[]; message: string } | undefined) {
    const field = issue?.path.map(String).join('.') || 'frame';
    const id = (raw as { clientMsgId?: unknown }).clientMsgId;
    conn.error('invalid_frame', `${field}: ${issue?.message ?? 'is invalid'}`, { field, ...(typeof id === 'string' && { clientMsgId: id.slice(0, 64) }) });
  }

  /** Runs a handler; what it throws becomes an `error` frame (naming the frame's ack id). */
  private async run(conn: RealtimeConnection, handler: ClientFrameHandler<C>, frame: Frame): Promise<void> {
    try {
      await handler.handle(this.opts.ctx, conn, frame);
    } catch (err) {
      this.reportError(conn, err, handler.ackField ? (frame as unknown as Record<string, string>)[handler.ackField] : undefined);
    }
  }

  private reportError(conn: RealtimeConnection, err: unknown, ackId?: string) {
    const extra = ackId ? { clientMsgId: ackId } : {};
    const known = this.opts.describeError(err);
    if (known) return conn.error(known.code, known.detail, { ...extra, ...(known.field && { field: known.field }) });
    this.opts.log.error({ err, userId: conn.userId }, 'websocket frame failed');
    conn.error('internal_error', 'Something went wrong on our side; retry', extra);
  }

  private receiveHello(conn: RealtimeConnection, raw: unknown) {
    const parsed = this.opts.helloSchema.safeParse(raw);
    if (!parsed.success) return this.invalid(conn, raw, parsed.error.issues[0]);
    if (conn.inFlight >= MAX_IN_FLIGHT) return this.flooded(conn, 'Too many frames waiting; wait for acks');
    conn.inFlight += 1;
    conn.chain = conn.chain
      .then(() => this.hello(conn, parsed.data))
      .catch((err) => this.reportError(conn, err))
      .finally(() => {
        conn.inFlight -= 1;
      });
  }

  /**
   * `hello`: once the personal channel is subscribed, each module sets the connection up
   * (messaging takes every conversation's current end as the baseline), then `ready`, then the
   * frames that arrived meanwhile, then what modules replay (the messages the client missed).
   */
  private async hello(conn: RealtimeConnection, frame: Frame) {
    if (conn.closed) return;
    if (conn.ready) return conn.error('already_ready', 'hello was already received on this connection');
    await conn.subscribed;
    const after: Array<() => Promise<void>> = [];
    for (const hook of this.registry.hello) {
      const then = await hook(this.opts.ctx, conn, frame);
      if (then) after.push(then);
    }
    if (conn.closed) return;
    conn.ready = true;
    conn.send({ type: 'ready', userId: conn.userId } as Frame);
    const early = conn.early;
    conn.early = [];
    for (const [f, text] of early) this.deliver(conn, f, text);
    await Promise.all(after.map((fn) => fn()));
  }

  /** After pub/sub was lost, frames may be missing: modules compare every connection with the database. */
  private async resyncAll() {
    this.opts.log.info({ connections: this.connections.size }, 'pub/sub reconnected; resyncing connections');
    const all = [...this.connections].filter((c) => c.ready);
    const BATCH = 50;
    for (let i = 0; i < all.length; i += BATCH) {
      await Promise.all(all.slice(i, i + BATCH).map((c) => this.resync(c).catch((err) => this.opts.log.warn({ err }, 'resync failed'))));
    }
  }

  private async resync(conn: RealtimeConnection) {
    for (const hook of this.registry.resync) await hook(this.opts.ctx, conn);
    if (conn.closed) return;
    // What is not sequenced (edits, reactions, read marks): the client refreshes what it shows.
    conn.send({ type: 'resync' });
  }
}

/** A server's unmasked, unfragmented WebSocket text frame around `payload` (RFC 6455 §5.2), as `ws` writes it. */
export function wsTextFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x81; // FIN, text
  if (n < 126) out[1] = n;
  else if (n < 65_536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(out, head);
  return out;
}
