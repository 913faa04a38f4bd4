import type { Conversation, Message } from '@loop/contracts';
import { useState, useSyncExternalStore } from 'react';
import { queryClient } from '../../app/query-client.ts';
import { realtime } from '../../app/realtime/socket.ts';
import { didLogOutHere, type MeData, meKey } from '../../app/session.ts';
import { clearOutbox, loadOutbox, removeFromOutbox, saveToOutbox } from './outbox.ts';

/**
 * Chat's outbox, built on the app's one socket (app/realtime/socket.ts). It says what this tab
 * already has with `hello.resume`, and re-sends every unacknowledged message under the same
 * clientMsgId, so a flaky network never loses or doubles a message.
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

class ChatOutbox {
  private readonly listeners = new Set<() => void>();
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
  /** Whose outbox this is: the person signed in (followed from the session, below). */
  private userId: string | null = null;

  constructor() {
    realtime.plug({
      hello: () => ({ resume: Object.fromEntries(this.lastSeq) }),
      frame: (frame) => {
        if (frame.type === 'ready') {
          // A new socket has a new budget: what waited for the old one's goes now (the server
          // answers a message it already has with its ack, so nothing is doubled).
          for (const t of this.backoff.values()) clearTimeout(t);
          this.backoff.clear();
          this.inFlight.clear();
          this.pump();
        } else if (frame.type === 'message') this.noteSeq(frame.message.conversationId, frame.message.seq);
        else if (frame.type === 'ack') this.settle(frame.clientMsgId);
        else if (frame.type === 'error' && typeof frame.clientMsgId === 'string') this.refused(frame.clientMsgId, frame.code, frame.detail);
      },
      closed: () => this.inFlight.clear(),
      // Unacknowledged messages stay: they go out the next time a screen starts the socket.
      stopped: () => {
        this.inFlight.clear();
        this.lastSeq.clear();
      },
    });
  }

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
        this.changed();
        this.pump();
      });
    }
    this.changed();
  }

  /** A chat that has messages waiting, as it was when they were written (null if none). */
  queuedConversation(conversationId: string): Conversation | null {
    for (const p of this.pending.values()) if (p.conversationId === conversationId && p.conversation) return p.conversation;
    return null;
  }

  /** The queue changed (a message added, acknowledged, refused, or loaded from disk). */
  private changed() {
    for (const l of this.listeners) l();
  }

  noteSeq(conversationId: string, seq: number) {
    if (seq > (this.lastSeq.get(conversationId) ?? 0)) this.lastSeq.set(conversationId, seq);
  }

  /** Writes the first unsent message of each conversation, unless one of it is unanswered or backing off. */
  private pump() {
    if (!realtime.isReady()) return;
    const busy = new Set<string>();
    for (const p of this.pending.values()) {
      if (p.failed || busy.has(p.conversationId)) continue;
      busy.add(p.conversationId);
      if (this.inFlight.has(p.clientMsgId) || this.backoff.has(p.conversationId)) continue;
      this.inFlight.add(p.clientMsgId);
      realtime.send({ type: 'send', conversationId: p.conversationId, clientMsgId: p.clientMsgId, text: p.text, ...(p.replyToSeq ? { replyToSeq: p.replyToSeq } : {}) });
    }
  }

  /** Acknowledged: gone from the queue; the conversation's next message may go. */
  private settle(clientMsgId: string) {
    if (this.pending.delete(clientMsgId)) void removeFromOutbox(clientMsgId);
    this.inFlight.delete(clientMsgId);
    this.attempts.delete(clientMsgId);
    this.pump();
    this.changed();
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
    this.changed();
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
    this.changed();
    return p;
  }

  subscribe(l: () => void) {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
}

export const chatOutbox = new ChatOutbox();

// The outbox belongs to whoever is signed in: follow the session's cache entry (which starts from
// the stored session, so an app opened offline has its outbox too).
function followSession() {
  const me = queryClient.getQueryData<MeData | null>(meKey);
  if (me !== undefined) chatOutbox.setUser(me?.user.id ?? null);
}
queryClient.getQueryCache().subscribe((event) => {
  if (event.query.queryKey[0] === meKey[0]) followSession();
});
followSession();

/** The chat `id` as it was when its queued messages were written, while any are waiting. */
export function useQueuedConversation(id: string): Conversation | null {
  return useSyncExternalStore(
    (l) => chatOutbox.subscribe(l),
    () => chatOutbox.queuedConversation(id),
    () => null,
  );
}

/** The messages of chat `id` not yet acknowledged, in order; the caller re-renders when they change. */
export function usePendingSends(id: string): PendingSend[] {
  // The queue's Map is mutated in place, so the snapshot is a counter bumped on every change.
  const [version] = useState(() => ({ n: 0 }));
  useSyncExternalStore(
    (l) =>
      chatOutbox.subscribe(() => {
        version.n += 1;
        l();
      }),
    () => version.n,
    () => 0,
  );
  return [...chatOutbox.pending.values()].filter((p) => p.conversationId === id);
}

export type { Message };
