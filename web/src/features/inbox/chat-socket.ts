import type { Conversation, Message } from '@loop/contracts';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { notifyUnauthorized, queryClient } from '../../app/query-client.ts';
import { didLogOutHere, type MeData, meKey } from '../../app/session.ts';
import { clearOutbox, loadOutbox, removeFromOutbox, saveToOutbox } from './outbox.ts';

/** The server closes a socket with this code when its session ended (signed out, expired). */
const CLOSE_SIGNED_OUT = 4001;

/**
 * The app's one WebSocket to /api/v1/ws (the session cookie authenticates it). It reconnects by
 * itself (with backoff, and at once when the browser comes back online), says what it already has
 * with `hello.resume`, and re-sends every unacknowledged message under the same clientMsgId, so a
 * flaky network never loses or doubles a message. Screens subscribe to frames.
 *
 * Sends go out one at a time per conversation: the next message of a chat is written to the socket
 * when the previous one is acknowledged (or failed for good). The server may refuse a send for its
 * budget (`error` with code `rate_limited` and the clientMsgId); the refused message is sent again
 * after a backoff (doubling, capped, jittered), and since nothing behind it went out meanwhile, the
 * conversation keeps the order it was written in. Different chats do not wait for each other.
 *
 * What is not yet acknowledged is also kept in IndexedDB (outbox.ts) for the person signed in, so
 * a message written offline survives a reload and goes out once the socket is up again.
 */
export type ChatStatus = 'connecting' | 'online' | 'offline';
type Listener = (frame: any) => void;

export interface PendingSend {
  clientMsgId: string;
  conversationId: string;
  text: string;
  replyToSeq?: number;
  failed?: string;
  /** The chat as it was when the message was written (to draw it offline). */
  conversation?: Conversation;
}

/** Codes of a refused send that a later try can fix; any other error fails the message for good. */
const RETRYABLE: Record<string, number> = {
  // The socket's frame budget or in-flight cap: always worth waiting for.
  rate_limited: Number.POSITIVE_INFINITY,
  // Something failed on the server's side: a few tries, then "Not sent".
  internal_error: 5,
};
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 8_000;

/**
 * How long a refused send waits before try number `attempt + 1`: 250 ms doubling up to 8 s, times a
 * random factor in [0.5, 1) so that many waiting clients (or chats) do not come back at once.
 */
export function retryDelay(attempt: number, random = Math.random()): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt) * (0.5 + random / 2);
}

class ChatSocket {
  private ws: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private statusListeners = new Set<() => void>();
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  status: ChatStatus = 'connecting';
  /** The highest seq this tab holds per conversation: what `hello.resume` asks after. */
  readonly lastSeq = new Map<string, number>();
  /** Sent but not yet acknowledged, in order. */
  readonly pending = new Map<string, PendingSend>();
  /** clientMsgIds written to the current socket and not yet answered (at most one per conversation). */
  private readonly inFlight = new Set<string>();
  /** Refusals so far per clientMsgId. */
  private readonly attempts = new Map<string, number>();
  /** Conversations whose next send waits for a backoff to end. */
  private readonly backoff = new Map<string, ReturnType<typeof setTimeout>>();

  private users = 0;
  private watching = false;
  private activeSentAt = 0;
  /** Whose outbox this is: the person signed in (followed from the session, below). */
  private userId: string | null = null;

  /**
   * The person signed in changed: their queued messages come from disk; another person's leave
   * memory (they stay on disk for them, unless they logged out here, which forgets them).
   */
  setUser(userId: string | null) {
    if (userId === this.userId) return;
    const previous = this.userId;
    this.userId = userId;
    this.pending.clear();
    this.inFlight.clear();
    this.attempts.clear();
    for (const t of this.backoff.values()) clearTimeout(t);
    this.backoff.clear();
    if (previous && userId === null && didLogOutHere()) void clearOutbox(previous);
    if (userId) {
      void loadOutbox(userId).then((stored) => {
        if (this.userId !== userId || stored.length === 0) return;
        // What was on disk was written before anything queued since the start: it goes first.
        const queued = [...this.pending.values()];
        this.pending.clear();
        for (const { userId: _u, queuedAt: _q, ...p } of stored) this.pending.set(p.clientMsgId, p);
        for (const p of queued) this.pending.set(p.clientMsgId, p);
        this.emit({ type: 'pending' });
        this.pump();
      });
    }
    this.emit({ type: 'pending' });
  }

  /** A chat that has messages waiting, as it was when they were written (null if none). */
  queuedConversation(conversationId: string): Conversation | null {
    for (const p of this.pending.values()) if (p.conversationId === conversationId && p.conversation) return p.conversation;
    return null;
  }

  private emit(frame: unknown) {
    for (const l of this.listeners) l(frame);
  }

  /** Reference-counted: the socket stays up while anything that needs it is mounted. */
  start() {
    this.users += 1;
    if (this.started) return;
    this.started = true;
    if (!this.watching) {
      this.watching = true;
      window.addEventListener('online', () => this.connectNow());
      window.addEventListener('offline', () => this.ws?.close());
      // The server sends push notifications only to people who are away: a tab in use says so
      // with a ping now and then (at most every 20 s, only while it is visible and touched).
      const active = () => {
        if (document.visibilityState !== 'visible' || Date.now() - this.activeSentAt < 20_000) return;
        this.activeSentAt = Date.now();
        this.frame({ type: 'ping' });
      };
      for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) window.addEventListener(type, active, { passive: true, capture: true });
      document.addEventListener('visibilitychange', active);
    }
    this.connect();
  }

  stop() {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0) return;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
    this.inFlight.clear();
    this.lastSeq.clear();
    // Unacknowledged messages stay: they go out the next time a screen starts the socket.
  }

  private setStatus(s: ChatStatus) {
    this.status = s;
    for (const l of this.statusListeners) l();
  }

  private connectNow() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.ws) this.connect();
  }

  private connect() {
    if (!this.started) return;
    if (!navigator.onLine) {
      this.setStatus('offline');
      return;
    }
    this.setStatus('connecting');
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}/api/v1/ws`);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', resume: Object.fromEntries(this.lastSeq) }));
    ws.onmessage = (e) => {
      let frame: any;
      try {
        frame = JSON.parse(String(e.data));
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        this.retry = 0;
        // A new socket has a new budget: what waited for the old one's goes now (the server
        // answers a message it already has with its ack, so nothing is doubled).
        for (const t of this.backoff.values()) clearTimeout(t);
        this.backoff.clear();
        this.inFlight.clear();
        this.setStatus('online');
        this.pump();
      }
      if (frame.type === 'message') this.noteSeq(frame.message.conversationId, frame.message.seq);
      if (frame.type === 'ack') this.settle(frame.clientMsgId);
      if (frame.type === 'error' && typeof frame.clientMsgId === 'string') this.refused(frame.clientMsgId, frame.code, frame.detail);
      for (const l of this.listeners) l(frame);
    };
    ws.onclose = (e) => {
      if (this.ws === ws) this.ws = null;
      this.inFlight.clear();
      // The session ended: the app re-checks it and goes back to sign-in, which stops this socket.
      // Until then it reconnects as usual (and is refused if the session is really gone).
      if (e.code === CLOSE_SIGNED_OUT) notifyUnauthorized();
      this.setStatus(navigator.onLine ? 'connecting' : 'offline');
      if (!this.started || !navigator.onLine) return;
      const delay = Math.min(10_000, 300 * 2 ** this.retry) * (0.5 + Math.random() / 2);
      this.retry += 1;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.connect();
      }, delay);
    };
  }

  noteSeq(conversationId: string, seq: number) {
    if (seq > (this.lastSeq.get(conversationId) ?? 0)) this.lastSeq.set(conversationId, seq);
  }

  /** Writes the first unsent message of each conversation, unless one of it is unanswered or backing off. */
  private pump() {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN || this.status !== 'online') return;
    const busy = new Set<string>();
    for (const p of this.pending.values()) {
      if (p.failed || busy.has(p.conversationId)) continue;
      busy.add(p.conversationId);
      if (this.inFlight.has(p.clientMsgId) || this.backoff.has(p.conversationId)) continue;
      this.inFlight.add(p.clientMsgId);
      ws.send(JSON.stringify({ type: 'send', conversationId: p.conversationId, clientMsgId: p.clientMsgId, text: p.text, ...(p.replyToSeq ? { replyToSeq: p.replyToSeq } : {}) }));
    }
  }

  /** Acknowledged: gone from the queue; the conversation's next message may go. */
  private settle(clientMsgId: string) {
    if (this.pending.delete(clientMsgId)) void removeFromOutbox(clientMsgId);
    this.inFlight.delete(clientMsgId);
    this.attempts.delete(clientMsgId);
    this.pump();
  }

  /** An `error` naming one of our sends: try it again later, or mark it failed and go on with the next. */
  private refused(clientMsgId: string, code: string, detail: string) {
    const p = this.pending.get(clientMsgId);
    this.inFlight.delete(clientMsgId);
    if (!p) return;
    const attempt = this.attempts.get(clientMsgId) ?? 0;
    if (attempt < (RETRYABLE[code] ?? 0)) {
      this.attempts.set(clientMsgId, attempt + 1);
      const conversationId = p.conversationId;
      clearTimeout(this.backoff.get(conversationId));
      this.backoff.set(
        conversationId,
        setTimeout(() => {
          this.backoff.delete(conversationId);
          this.pump();
        }, retryDelay(attempt)),
      );
      return;
    }
    // Failed for good: shown as "Not sent" for now, not kept for the next start.
    p.failed = detail;
    this.attempts.delete(clientMsgId);
    void removeFromOutbox(clientMsgId);
    this.pump();
  }

  /** Queues a message (on disk too), and sends it when its turn comes and the socket is up. */
  send(conversation: Conversation, text: string, replyToSeq?: number): PendingSend {
    const p: PendingSend = {
      clientMsgId: `w-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
      conversationId: conversation.id,
      text,
      replyToSeq,
      conversation,
    };
    this.pending.set(p.clientMsgId, p);
    if (this.userId) void saveToOutbox({ ...p, userId: this.userId, queuedAt: Date.now() });
    this.pump();
    this.emit({ type: 'pending' });
    return p;
  }

  frame(f: unknown) {
    if (this.ws?.readyState === WebSocket.OPEN && this.status === 'online') this.ws.send(JSON.stringify(f));
  }

  subscribe(l: Listener) {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }

  subscribeStatus(l: () => void) {
    this.statusListeners.add(l);
    return () => void this.statusListeners.delete(l);
  }
}

export const chatSocket = new ChatSocket();

// The outbox belongs to whoever is signed in: follow the session's cache entry (which starts from
// the stored session, so an app opened offline has its outbox too).
function followSession() {
  const me = queryClient.getQueryData<MeData | null>(meKey);
  if (me !== undefined) chatSocket.setUser(me?.user.id ?? null);
}
queryClient.getQueryCache().subscribe((event) => {
  if (event.query.queryKey[0] === meKey[0]) followSession();
});
followSession();

/** The chat `id` as it was when its queued messages were written, while any are waiting. */
export function useQueuedConversation(id: string): Conversation | null {
  return useSyncExternalStore(
    (l) => chatSocket.subscribe(l),
    () => chatSocket.queuedConversation(id),
    () => null,
  );
}

export function useChatStatus(): ChatStatus {
  return useSyncExternalStore(
    (l) => chatSocket.subscribeStatus(l),
    () => chatSocket.status,
    () => 'connecting' as const,
  );
}

/** Calls `onFrame` for every frame while the component is mounted. */
export function useChatFrames(onFrame: (frame: any) => void) {
  const [handler] = useState(() => ({ current: onFrame }));
  handler.current = onFrame;
  useEffect(() => chatSocket.subscribe((f) => handler.current(f)), [handler]);
}

export type { Message };
