import { type Message, ReadFrame, SendFrame, TypingFrame } from '@loop/contracts';
import type { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { MAX_QUEUED_FRAMES, type RealtimeConnection } from '../../platform/realtime/connection.ts';
import type { FrameBytes } from '../../platform/realtime/channels.ts';
import type { Frame, RealtimeFeature } from '../../platform/realtime/frames.ts';
import { conversationSeqs, markRead, messagesAfter, sendMessage, sendTyping } from './messaging.service.ts';

/**
 * Messaging over the real-time core (API.md "WebSocket"): the `send`, `read` and `typing`
 * frames, and the seq streams. Message frames pass a per-connection seq check, so each
 * connection gets every message of a conversation once and in order: duplicates are dropped,
 * and a gap (a frame lost by pub/sub, a resume) is filled from the database before anything
 * newer is sent. Seqs are taken under a row lock held to commit, so once seq n is published
 * every seq below it is committed and readable.
 */

/** Rows per catch-up read when a connection resumes or fills a seq gap. */
const CATCH_UP_PAGE = 500;
/** Typing frames a connection may send per conversation: one per this many ms; the rest are dropped. */
const TYPING_THROTTLE_MS = 1_500;

type MessageFrame = { type: 'message'; message: Message };

/** What one connection has been sent of a conversation: the seq of the last message, and frames held during catch-up. */
interface ConversationCursor {
  sent: number;
  held: MessageFrame[] | null;
}

const CURSORS = Symbol('messaging.cursors');
const TYPING = Symbol('messaging.typing');
const cursorsOf = (conn: RealtimeConnection) => conn.local(CURSORS, () => new Map<string, ConversationCursor>());

/** Acks are the most frequent frame: written out directly. */
function ackText(clientMsgId: string, message: Message): string {
  return `{"type":"ack","clientMsgId":${JSON.stringify(clientMsgId)},"conversationId":"${message.conversationId}","seq":${message.seq},"messageId":"${message.id}"}`;
}

function passMessage(ctx: AppContext, conn: RealtimeConnection, frame: MessageFrame, text: FrameBytes | undefined): boolean {
  const { conversationId, seq } = frame.message;
  const cursors = cursorsOf(conn);
  let cursor = cursors.get(conversationId);
  if (!cursor) {
    // First we hear of it (a new conversation): start just before this message.
    cursor = { sent: seq - 1, held: null };
    cursors.set(conversationId, cursor);
  }
  if (cursor.held) {
    if (cursor.held.length >= MAX_QUEUED_FRAMES) conn.overflow();
    else cursor.held.push(frame);
    return false;
  }
  if (seq <= cursor.sent) return false; // already sent (a retry's re-publish, or resume overlap)
  if (seq === cursor.sent + 1) {
    cursor.sent = seq;
    conn.sendText(text ?? JSON.stringify(frame));
    return false;
  }
  cursor.held = [frame];
  void catchUp(ctx, conn, conversationId);
  return false;
}

/** Sends everything after `cursor.sent` from the database, then the frames held meanwhile, in seq order without duplicates. */
async function catchUp(ctx: AppContext, conn: RealtimeConnection, conversationId: string) {
  const cursors = cursorsOf(conn);
  const cursor = cursors.get(conversationId);
  if (!cursor) return;
  cursor.held ??= [];
  try {
    for (;;) {
      for (;;) {
        const page = await messagesAfter(ctx, conn.userId, conversationId, cursor.sent, CATCH_UP_PAGE);
        if (conn.closed || cursors.get(conversationId) !== cursor) return;
        for (const message of page) {
          if (message.seq !== cursor.sent + 1) continue;
          cursor.sent = message.seq;
          conn.send({ type: 'message', message } as Frame);
        }
        if (page.length < CATCH_UP_PAGE) break;
      }
      const held: MessageFrame[] = cursor.held ?? [];
      held.sort((a, b) => a.message.seq - b.message.seq);
      let gap = false;
      for (const f of held) {
        if (f.message.seq <= cursor.sent) continue;
        if (f.message.seq !== cursor.sent + 1) {
          gap = true;
          break;
        }
        cursor.sent = f.message.seq;
        conn.send(f);
      }
      if (!gap) {
        cursor.held = null;
        return;
      }
      cursor.held = held.filter((f) => f.message.seq > cursor.sent);
    }
  } catch (err) {
    // The database is briefly away: keep holding and try again shortly.
    ctx.log.warn({ err, conversationId }, 'catch-up failed; retrying');
    setTimeout(() => {
      if (!conn.closed && cursors.get(conversationId) === cursor) void catchUp(ctx, conn, conversationId);
    }, 1_000).unref();
  }
}

export const messagingFrames: RealtimeFeature<AppContext> = {
  client: {
    send: {
      schema: SendFrame,
      // Not chained: sends join the node's next write batch in arrival order, which keeps a
      // client's messages in its order while many are written together.
      mode: 'concurrent',
      ackField: 'clientMsgId',
      async handle(ctx, conn, frame: z.infer<typeof SendFrame>) {
        const { type: _t, conversationId, ...body } = frame;
        await sendMessage(ctx, conn.userId, conversationId, body, ({ message }) => conn.sendText(ackText(body.clientMsgId, message)));
      },
    },
    read: {
      schema: ReadFrame,
      async handle(ctx, conn, frame: z.infer<typeof ReadFrame>) {
        await markRead(ctx, conn.userId, frame.conversationId, frame.seq);
      },
    },
    typing: {
      schema: TypingFrame,
      mode: 'uncounted',
      async handle(ctx, conn, frame: z.infer<typeof TypingFrame>) {
        const typingAt = conn.local(TYPING, () => new Map<string, number>());
        const now = Date.now();
        if (now - (typingAt.get(frame.conversationId) ?? 0) < TYPING_THROTTLE_MS) return;
        if (typingAt.size > 1000) typingAt.clear();
        typingAt.set(frame.conversationId, now);
        await sendTyping(ctx, conn.userId, frame.conversationId);
      },
    },
  },
  outgoing: {
    message: (ctx, conn, frame, text) => passMessage(ctx, conn, frame as MessageFrame, text),
    'conversation.updated'(ctx, conn, frame) {
      const { conversation } = frame as Frame & { conversation: { id: string; lastSeq: number; state: string } };
      const cursors = cursorsOf(conn);
      const cursor = cursors.get(conversation.id);
      // A conversation new to this connection starts at its current end; a known one that is
      // further along than we have sent means frames were lost: fill the gap.
      if (!cursor) cursors.set(conversation.id, { sent: conversation.lastSeq, held: null });
      else if (conversation.lastSeq > cursor.sent && !cursor.held) void catchUp(ctx, conn, conversation.id);
      if (conversation.state === 'declined') cursors.delete(conversation.id);
      return true;
    },
    'conversation.removed'(_ctx, conn, frame) {
      cursorsOf(conn).delete((frame as Frame & { conversationId: string }).conversationId);
      return true;
    },
  },
  /** Every conversation's current end is the baseline; those the client says it is behind in are replayed after `ready`. */
  async hello(ctx, conn, frame) {
    const resume = (frame as Frame & { resume?: Record<string, number> }).resume ?? {};
    const seqs = await conversationSeqs(ctx, conn.userId);
    const cursors = cursorsOf(conn);
    const resuming: string[] = [];
    for (const [id, last] of seqs) cursors.set(id, { sent: last, held: null });
    for (const [id, have] of Object.entries(resume)) {
      const last = seqs.get(id);
      // Conversations the user is not in are ignored without a word: nothing to learn here.
      if (last === undefined || have >= last) continue;
      cursors.set(id, { sent: have, held: [] });
      resuming.push(id);
    }
    return async () => {
      await Promise.all(resuming.map((id) => catchUp(ctx, conn, id)));
    };
  },
  async resync(ctx, conn) {
    const seqs = await conversationSeqs(ctx, conn.userId);
    if (conn.closed) return;
    const cursors = cursorsOf(conn);
    for (const id of cursors.keys()) if (!seqs.has(id)) cursors.delete(id);
    for (const [id, last] of seqs) {
      const cursor = cursors.get(id);
      if (!cursor) cursors.set(id, { sent: last, held: null });
      else if (last > cursor.sent && !cursor.held) void catchUp(ctx, conn, id);
    }
  },
};
