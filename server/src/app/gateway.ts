import { CLIENT_FRAME_TYPES, ClientFrame, type Message, type ServerFrame } from '@loop/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { authenticate, liveSessionKeys } from '../modules/accounts/accounts.service.ts';
import { onSessionRevoked, sessionKey } from '../modules/accounts/session-cache.ts';
import * as messaging from '../modules/messaging/messaging.service.ts';
import { isAllowedOrigin } from './auth.ts';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';

/** Largest frame a client may send; `ws` closes the socket with 1009 past it. */
export const WS_MAX_PAYLOAD = 64 * 1024;
/** Rows per catch-up read when a connection resumes or fills a seq gap. */
const CATCH_UP_PAGE = 500;
/** Frames held for a connection that is catching up before it is dropped (it will reconnect and resume). */
const MAX_QUEUED_FRAMES = 10_000;
/** Over-budget frames tolerated before a flooding socket is closed. */
const MAX_BUDGET_VIOLATIONS = 200;
/** Frames being processed per connection before further ones are refused. */
const MAX_IN_FLIGHT = 64;
/** Close code for a socket whose session ended: the client must sign in again, not just reconnect. */
export const WS_CLOSE_SIGNED_OUT = 4001;
/** Typing frames a connection may send per conversation: one per this many ms; the rest are dropped. */
const TYPING_THROTTLE_MS = 1_500;

/** What one connection has been sent of a conversation: the seq of the last message, and frames held during catch-up. */
interface ConversationCursor {
  sent: number;
  held: Array<{ type: 'message'; message: Message }> | null;
}

interface Connection {
  ws: WebSocket;
  userId: string;
  /** The session it signed in with (`sessionKey`): logging out or expiry closes the socket. */
  session: string;
  ready: boolean;
  alive: boolean;
  /** Frames that arrived before `hello` finished: replayed through the seq check once it has. */
  early: ServerFrame[];
  conversations: Map<string, ConversationCursor>;
  tokens: number;
  refilledAt: number;
  violations: number;
  inFlight: number;
  chain: Promise<void>;
  typingAt: Map<string, number>;
  subscribed: Promise<void>;
  closed: boolean;
  /** Frames sent in this turn of the event loop are held and written together (see `cork`). */
  corked: boolean;
  /** Bytes still unsent from earlier turns when this turn's first frame was sent. */
  backlog: number;
}

/** The clientMsgId of a `send` frame, however malformed the rest, so a refusal can name it. */
function refusedSendId(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { type, clientMsgId } = raw as { type?: unknown; clientMsgId?: unknown };
  return type === 'send' && typeof clientMsgId === 'string' ? clientMsgId.slice(0, 64) : undefined;
}

/** Acks are the most frequent frame: written out directly. */
function ackText(clientMsgId: string, message: Message): string {
  return `{"type":"ack","clientMsgId":${JSON.stringify(clientMsgId)},"conversationId":"${message.conversationId}","seq":${message.seq},"messageId":"${message.id}"}`;
}

/**
 * The WebSocket gateway (API.md "WebSocket"). Per-node state only: which users are connected
 * here and what each connection has been sent. Delivery is by pub/sub channel: every frame
 * published on `user:<id>` goes to that user's connections on this node. Message frames pass a
 * per-connection seq check, so each connection gets every message of a conversation once and in
 * order: duplicates are dropped, and a gap (a frame lost by pub/sub, a resume) is filled from the
 * database before anything newer is sent.
 *
 * Channels are reference-counted per node (`channelMembers`), keyed by channel name, so live
 * rooms (`room:<id>`) can ride the same registry beside `user:<id>` later.
 */
export class Gateway {
  private readonly channelMembers = new Map<string, { connections: Set<Connection>; ready: Promise<() => Promise<void>> }>();
  private readonly connections = new Set<Connection>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly sessionCheck: NodeJS.Timeout;
  private readonly corked: Connection[] = [];

  constructor(private readonly ctx: AppContext) {
    this.heartbeat = setInterval(() => this.beat(), ctx.config.gateway.heartbeatMs);
    this.heartbeat.unref();
    // Sessions expire while sockets stay open (logouts close theirs at once, below).
    this.sessionCheck = setInterval(() => void this.recheckSessions(), ctx.config.gateway.sessionRecheckMs);
    this.sessionCheck.unref();
    onSessionRevoked(ctx, (key) => {
      for (const conn of this.connections) if (conn.session === key) this.signOut(conn);
    });
    ctx.pubsub.onReconnect?.(() => void this.resyncAll());
  }

  get size(): number {
    return this.connections.size;
  }

  /** Takes over an authenticated socket. */
  accept(ws: WebSocket, userId: string, tokenHash: Buffer) {
    const g = this.ctx.config.gateway;
    const conn: Connection = {
      ws,
      userId,
      session: sessionKey(tokenHash),
      ready: false,
      alive: true,
      early: [],
      conversations: new Map(),
      tokens: g.frameBurst,
      refilledAt: Date.now(),
      violations: 0,
      inFlight: 0,
      chain: Promise.resolve(),
      typingAt: new Map(),
      subscribed: Promise.resolve(),
      closed: false,
      corked: false,
      backlog: 0,
    };
    this.connections.add(conn);
    this.ctx.presence.opened(userId);
    conn.subscribed = this.join(`user:${userId}`, conn);
    ws.on('message', (data, isBinary) => this.receive(conn, data as Buffer, isBinary));
    ws.on('pong', () => {
      conn.alive = true;
    });
    // ws reports oversized frames and protocol errors here, then closes the socket itself.
    ws.on('error', (err) => this.ctx.log.debug({ err: err.message, userId }, 'websocket error'));
    ws.on('close', () => this.drop(conn));
  }

  async close() {
    clearInterval(this.heartbeat);
    clearInterval(this.sessionCheck);
    for (const conn of this.connections) conn.ws.terminate();
  }

  private signOut(conn: Connection) {
    conn.ws.close(WS_CLOSE_SIGNED_OUT, 'session ended; sign in again');
    this.drop(conn);
  }

  /** Sessions expire while sockets stay open: close those whose session is gone. */
  private async recheckSessions() {
    const open = [...this.connections];
    if (open.length === 0) return;
    try {
      const keys = [...new Set(open.map((c) => c.session))];
      const live = await liveSessionKeys(
        this.ctx,
        keys.map((k) => Buffer.from(k, 'base64url')),
      );
      for (const conn of open) if (!live.has(conn.session)) this.signOut(conn);
    } catch (err) {
      this.ctx.log.warn({ err }, 'session re-check failed; will retry');
    }
  }

  // ------------------------------------------------------------ channels

  private async join(channel: string, conn: Connection) {
    let entry = this.channelMembers.get(channel);
    if (!entry) {
      const connections = new Set<Connection>();
      const ready = this.ctx.pubsub.subscribe(channel, (payload, text) => {
        // Forwarded as published: the JSON is reused, not rebuilt, for every socket.
        for (const c of connections) this.deliver(c, payload as ServerFrame, text);
      });
      entry = { connections, ready };
      this.channelMembers.set(channel, entry);
    }
    entry.connections.add(conn);
    await entry.ready;
  }

  private leave(channel: string, conn: Connection) {
    const entry = this.channelMembers.get(channel);
    if (!entry) return;
    entry.connections.delete(conn);
    if (entry.connections.size === 0) {
      this.channelMembers.delete(channel);
      entry.ready.then((unsubscribe) => unsubscribe()).catch((err) => this.ctx.log.warn({ err }, 'unsubscribe failed'));
    }
  }

  private drop(conn: Connection) {
    if (conn.closed) return;
    conn.closed = true;
    this.connections.delete(conn);
    this.ctx.presence.closed(conn.userId);
    this.leave(`user:${conn.userId}`, conn);
    conn.conversations.clear();
    conn.early.length = 0;
  }

  // ------------------------------------------------------------ outgoing

  private send(conn: Connection, frame: ServerFrame) {
    this.sendText(conn, JSON.stringify(frame));
  }

  private sendText(conn: Connection, text: string) {
    if (conn.closed || conn.ws.readyState !== conn.ws.OPEN) return;
    // A client that does not read would make the server buffer without limit: cut it off. What
    // counts is what is still unsent from earlier turns of the event loop: a batch may hand one
    // connection many frames in this turn, and those are written when the turn ends.
    if (this.cork(conn) > this.ctx.config.gateway.maxBufferedBytes) {
      this.ctx.log.info({ userId: conn.userId }, 'slow websocket reader disconnected');
      conn.ws.terminate();
      this.drop(conn);
      return;
    }
    conn.ws.send(text);
  }

  /**
   * A batch of messages sends a connection many frames at once (acks, its own echoes, others'
   * messages). Corking its socket until the end of this turn of the event loop writes them with
   * one syscall instead of one each (`ws` corks around every frame itself; corks nest).
   * Returns the bytes still unsent from earlier turns.
   */
  private cork(conn: Connection): number {
    if (conn.corked) return conn.backlog;
    conn.backlog = conn.ws.bufferedAmount;
    const socket = (conn.ws as unknown as { _socket?: { cork(): void } })._socket;
    if (!socket) return conn.backlog;
    socket.cork();
    conn.corked = true;
    if (this.corked.push(conn) === 1) setImmediate(() => this.uncorkAll());
    return conn.backlog;
  }

  private uncorkAll() {
    for (const conn of this.corked.splice(0)) {
      conn.corked = false;
      (conn.ws as unknown as { _socket?: { uncork(): void } })._socket?.uncork();
    }
  }

  private sendError(conn: Connection, code: string, detail: string, extra: { clientMsgId?: string; field?: string } = {}) {
    this.send(conn, { type: 'error', code, detail, ...extra });
  }

  /** A frame from pub/sub for this connection's user, with its JSON when pub/sub had it. */
  private deliver(conn: Connection, frame: ServerFrame, text?: string) {
    if (conn.closed) return;
    if (!conn.ready) {
      if (conn.early.length >= MAX_QUEUED_FRAMES) return this.overflow(conn);
      conn.early.push(frame);
      return;
    }
    switch (frame.type) {
      case 'message':
        return this.deliverMessage(conn, frame, text);
      case 'conversation.updated': {
        const id = frame.conversation.id;
        const cursor = conn.conversations.get(id);
        // A conversation new to this connection starts at its current end; a known one that is
        // further along than we have sent means frames were lost: fill the gap.
        if (!cursor) conn.conversations.set(id, { sent: frame.conversation.lastSeq, held: null });
        else if (frame.conversation.lastSeq > cursor.sent && !cursor.held) void this.catchUp(conn, id);
        if (frame.conversation.state === 'declined') conn.conversations.delete(id);
        break;
      }
      case 'conversation.removed':
        conn.conversations.delete(frame.conversationId);
        break;
    }
    this.sendText(conn, text ?? JSON.stringify(frame));
  }

  private deliverMessage(conn: Connection, frame: { type: 'message'; message: Message }, text?: string) {
    const { conversationId, seq } = frame.message;
    let cursor = conn.conversations.get(conversationId);
    if (!cursor) {
      // First we hear of it (a new conversation): start just before this message.
      cursor = { sent: seq - 1, held: null };
      conn.conversations.set(conversationId, cursor);
    }
    if (cursor.held) {
      if (cursor.held.length >= MAX_QUEUED_FRAMES) return this.overflow(conn);
      cursor.held.push(frame);
      return;
    }
    if (seq <= cursor.sent) return; // already sent (a retry's re-publish, or resume overlap)
    if (seq === cursor.sent + 1) {
      cursor.sent = seq;
      return this.sendText(conn, text ?? JSON.stringify(frame));
    }
    cursor.held = [frame];
    void this.catchUp(conn, conversationId);
  }

  /**
   * Sends everything after `cursor.sent` from the database, then the frames held meanwhile,
   * in seq order without duplicates. Seqs are taken under a row lock held to commit, so once
   * seq n is published every seq below it is committed and readable here.
   */
  private async catchUp(conn: Connection, conversationId: string) {
    const cursor = conn.conversations.get(conversationId);
    if (!cursor) return;
    cursor.held ??= [];
    try {
      for (;;) {
        for (;;) {
          const page = await messaging.messagesAfter(this.ctx, conn.userId, conversationId, cursor.sent, CATCH_UP_PAGE);
          if (conn.closed || conn.conversations.get(conversationId) !== cursor) return;
          for (const message of page) {
            if (message.seq !== cursor.sent + 1) continue;
            cursor.sent = message.seq;
            this.send(conn, { type: 'message', message });
          }
          if (page.length < CATCH_UP_PAGE) break;
        }
        const held: Array<{ type: 'message'; message: Message }> = cursor.held ?? [];
        held.sort((a, b) => a.message.seq - b.message.seq);
        let gap = false;
        for (const f of held) {
          if (f.message.seq <= cursor.sent) continue;
          if (f.message.seq !== cursor.sent + 1) {
            gap = true;
            break;
          }
          cursor.sent = f.message.seq;
          this.send(conn, f);
        }
        if (!gap) {
          cursor.held = null;
          return;
        }
        cursor.held = held.filter((f) => f.message.seq > cursor.sent);
      }
    } catch (err) {
      // The database is briefly away: keep holding and try again shortly.
      this.ctx.log.warn({ err, conversationId }, 'catch-up failed; retrying');
      setTimeout(() => {
        if (!conn.closed && conn.conversations.get(conversationId) === cursor) void this.catchUp(conn, conversationId);
      }, 1_000).unref();
    }
  }

  private overflow(conn: Connection) {
    // It will reconnect and resume from what it has; holding more would grow memory without bound.
    this.ctx.log.warn({ userId: conn.userId }, 'websocket fell too far behind; closing');
    conn.ws.close(1013, 'fell behind; reconnect and resume');
    this.drop(conn);
  }

  // ------------------------------------------------------------ incoming

  private spendToken(conn: Connection): boolean {
    const g = this.ctx.config.gateway;
    const now = Date.now();
    conn.tokens = Math.min(g.frameBurst, conn.tokens + ((now - conn.refilledAt) / 1000) * g.framesPerSec);
    conn.refilledAt = now;
    if (conn.tokens >= 1) {
      conn.tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * A frame refused for the connection's budget. A refused `send` always gets an `error` naming
   * its clientMsgId, so the client knows to retry it rather than wait for an ack that never
   * comes; other frames get one error per few refusals, enough to tell a client to slow down.
   */
  private flooded(conn: Connection, detail: string, clientMsgId?: string): boolean {
    conn.violations += 1;
    if (conn.violations > MAX_BUDGET_VIOLATIONS) {
      conn.ws.close(1008, 'too many frames');
      this.drop(conn);
      return true;
    }
    if (clientMsgId) this.sendError(conn, 'rate_limited', detail, { clientMsgId });
    else if (conn.violations % 10 === 1) this.sendError(conn, 'rate_limited', detail);
    return true;
  }

  private receive(conn: Connection, data: Buffer, isBinary: boolean) {
    conn.alive = true;
    if (conn.closed) return;
    this.ctx.presence.touch(conn.userId);
    if (isBinary) {
      if (!this.spendToken(conn)) return void this.flooded(conn, 'Too many frames; slow down');
      return this.sendError(conn, 'malformed_frame', 'Frames are JSON text');
    }
    // Parsed before the budget check so that a refused send can be named (frames are ≤ 64 KiB).
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString('utf8'));
    } catch {
      raw = undefined;
    }
    if (!this.spendToken(conn)) {
      this.flooded(conn, 'Too many frames; slow down', refusedSendId(raw));
      return;
    }
    if (raw === undefined) return this.sendError(conn, 'malformed_frame', 'A frame must be one JSON object');
    const type = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !(CLIENT_FRAME_TYPES as readonly string[]).includes(type)) {
      return this.sendError(conn, 'unknown_frame_type', `type: must be one of ${CLIENT_FRAME_TYPES.join(', ')}`, { field: 'type' });
    }
    const parsed = ClientFrame.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || 'frame';
      const clientMsgId = typeof (raw as { clientMsgId?: unknown }).clientMsgId === 'string' ? String((raw as { clientMsgId: string }).clientMsgId).slice(0, 64) : undefined;
      return this.sendError(conn, 'invalid_frame', `${field}: ${issue.message}`, { field, ...(clientMsgId && { clientMsgId }) });
    }
    const frame = parsed.data;
    if (frame.type === 'ping') return this.send(conn, { type: 'pong' });
    if (frame.type !== 'hello' && !conn.ready) return this.sendError(conn, 'hello_required', 'Send hello first');
    if (frame.type === 'typing') return void this.typing(conn, frame.conversationId);
    if (conn.inFlight >= MAX_IN_FLIGHT) {
      this.flooded(conn, 'Too many frames waiting; wait for acks', frame.type === 'send' ? frame.clientMsgId : undefined);
      return;
    }
    conn.inFlight += 1;
    if (frame.type === 'send') {
      // Not chained: sends join the node's next write batch in arrival order, which keeps a
      // client's messages in its order while many are written together.
      const { type: _t, conversationId, ...body } = frame;
      messaging
        .sendMessage(this.ctx, conn.userId, conversationId, body, ({ message }) => this.sendText(conn, ackText(body.clientMsgId, message)))
        .then(
          () => {
            conn.inFlight -= 1;
          },
          (err) => {
            conn.inFlight -= 1;
            this.reportError(conn, err, body.clientMsgId);
          },
        );
      return;
    }
    // hello and reads run one after another per connection.
    conn.chain = conn.chain
      .then(() => this.handle(conn, frame))
      .catch((err) => this.reportError(conn, err))
      .finally(() => {
        conn.inFlight -= 1;
      });
  }

  private reportError(conn: Connection, err: unknown, clientMsgId?: string) {
    const extra = clientMsgId ? { clientMsgId } : {};
    if (err instanceof AppError) return this.sendError(conn, err.code, err.message, { ...extra, ...(err.extra.field && { field: err.extra.field }) });
    this.ctx.log.error({ err, userId: conn.userId }, 'websocket frame failed');
    this.sendError(conn, 'internal_error', 'Something went wrong on our side; retry', extra);
  }

  private async handle(conn: Connection, frame: ClientFrame) {
    if (conn.closed) return;
    switch (frame.type) {
      case 'hello':
        return this.hello(conn, frame.resume ?? {});
      case 'read':
        await messaging.markRead(this.ctx, conn.userId, frame.conversationId, frame.seq);
        return;
      default:
        return;
    }
  }

  private async typing(conn: Connection, conversationId: string) {
    const now = Date.now();
    if (now - (conn.typingAt.get(conversationId) ?? 0) < TYPING_THROTTLE_MS) return;
    if (conn.typingAt.size > 1000) conn.typingAt.clear();
    conn.typingAt.set(conversationId, now);
    try {
      await messaging.sendTyping(this.ctx, conn.userId, conversationId);
    } catch (err) {
      this.reportError(conn, err);
    }
  }

  /** `hello`: subscribe, take each conversation's current end as the baseline, then replay what the client missed. */
  private async hello(conn: Connection, resume: Record<string, number>) {
    if (conn.ready) return this.sendError(conn, 'already_ready', 'hello was already received on this connection');
    await conn.subscribed;
    const seqs = await messaging.conversationSeqs(this.ctx, conn.userId);
    if (conn.closed) return;
    const resuming: string[] = [];
    for (const [id, last] of seqs) conn.conversations.set(id, { sent: last, held: null });
    for (const [id, have] of Object.entries(resume)) {
      const last = seqs.get(id);
      // Conversations the user is not in are ignored without a word: nothing to learn here.
      if (last === undefined || have >= last) continue;
      conn.conversations.set(id, { sent: have, held: [] });
      resuming.push(id);
    }
    conn.ready = true;
    this.send(conn, { type: 'ready', userId: conn.userId });
    const early = conn.early;
    conn.early = [];
    for (const f of early) this.deliver(conn, f);
    await Promise.all(resuming.map((id) => this.catchUp(conn, id)));
  }

  /** After pub/sub was lost, frames may be missing: compare every connection with the database. */
  private async resyncAll() {
    this.ctx.log.info({ connections: this.connections.size }, 'pub/sub reconnected; resyncing connections');
    const all = [...this.connections].filter((c) => c.ready);
    const BATCH = 50;
    for (let i = 0; i < all.length; i += BATCH) {
      await Promise.all(all.slice(i, i + BATCH).map((c) => this.resync(c).catch((err) => this.ctx.log.warn({ err }, 'resync failed'))));
    }
  }

  private async resync(conn: Connection) {
    const seqs = await messaging.conversationSeqs(this.ctx, conn.userId);
    if (conn.closed) return;
    for (const id of conn.conversations.keys()) if (!seqs.has(id)) conn.conversations.delete(id);
    for (const [id, last] of seqs) {
      const cursor = conn.conversations.get(id);
      if (!cursor) conn.conversations.set(id, { sent: last, held: null });
      else if (last > cursor.sent && !cursor.held) void this.catchUp(conn, id);
    }
    // Edits, reactions and read marks are not sequenced: the client refreshes what it shows.
    this.send(conn, { type: 'resync' });
  }

  private beat() {
    for (const conn of this.connections) {
      if (!conn.alive) {
        conn.ws.terminate();
        this.drop(conn);
        continue;
      }
      conn.alive = false;
      try {
        conn.ws.ping();
      } catch {
        this.drop(conn);
      }
    }
  }
}

/** `GET /api/v1/ws`: authenticates the upgrade (cookie, bearer, or `?token=`), checks a browser's Origin, hands the socket to the gateway. */
export async function registerGateway(app: FastifyInstance, ctx: AppContext): Promise<Gateway> {
  const gateway = new Gateway(ctx);
  app.addHook('onClose', async () => gateway.close());
  app.get(
    '/api/v1/ws',
    {
      websocket: true,
      schema: { hide: true },
      preValidation: async (req: FastifyRequest) => {
        const origin = req.headers.origin;
        // Browsers always send Origin on a WebSocket upgrade and attach cookies cross-site: refuse other sites.
        if (origin !== undefined && !isAllowedOrigin(ctx, req, origin)) {
          throw new AppError('cross_origin_forbidden', 403, 'This connection came from another site and was refused');
        }
        if (!req.auth) {
          const token = (req.query as { token?: unknown }).token;
          if (typeof token === 'string') {
            const session = await authenticate(ctx, token);
            if (session) req.auth = { ...session, via: 'bearer' };
          }
        }
        if (!req.auth) throw new AppError('unauthorized', 401, 'Sign in to continue');
      },
    },
    (socket, req) => gateway.accept(socket, req.auth!.userId, req.auth!.tokenHash),
  );
  return gateway;
}
