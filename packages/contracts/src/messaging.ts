import { z } from 'zod';
import { User } from './accounts.ts';
import { Id, unstorableText } from './common.ts';

/** Longest message text, in characters (UTF-16 code units, as the web counts them). */
export const MESSAGE_TEXT_MAX = 4000;
/** Most members a group conversation can have, its owner included. */
export const GROUP_MAX_MEMBERS = 32;
/** How long after sending a message its sender may still edit it. */
export const EDIT_WINDOW_MS = 15 * 60_000;
/** How long a typing indicator stays up unless renewed. */
export const TYPING_TTL_MS = 5_000;

export const ShareType = z.enum(['video', 'user', 'product', 'story', 'order', 'poll']);
export type ShareType = z.infer<typeof ShareType>;

export const ClientMsgId = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');

// Frames over the WebSocket are not HTTP bodies (whose strings the server checks for all
// routes): message text refuses what PostgreSQL cannot store here, for both.
export const MessageText = z
  .string()
  .max(MESSAGE_TEXT_MAX, `must be at most ${MESSAGE_TEXT_MAX} characters`)
  .superRefine((t, ctx) => {
    const problem = unstorableText(t);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .refine((t) => t.trim().length > 0, 'must not be empty');

export const ShareRef = z.object({ type: ShareType, id: Id });
export type ShareRef = z.infer<typeof ShareRef>;

/** A reaction is one emoji (with its modifiers), not free text. */
export const Emoji = z
  .string()
  .min(1)
  .max(32)
  .regex(/^(?=.*\p{Extended_Pictographic})(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Emoji_Component}|\u200d|\ufe0f)+$/u, 'must be an emoji');

/** What a share shows, resolved when it is read ("unavailable" when deleted or hidden from the reader). */
export const ShareView = z.object({
  type: ShareType,
  id: z.string(),
  status: z.enum(['available', 'unavailable']),
  card: z.record(z.string(), z.unknown()).nullable(),
});
export type ShareView = z.infer<typeof ShareView>;

export const ReactionView = z.object({ emoji: z.string(), count: z.number().int(), userIds: z.array(z.string()) });

export const Message = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int(),
  senderId: z.string(),
  clientMsgId: z.string(),
  text: z.string().nullable(),
  replyToSeq: z.number().int().nullable(),
  share: ShareView.nullable(),
  reactions: z.array(ReactionView),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
});
export type Message = z.infer<typeof Message>;

export const ConversationMember = User.extend({
  role: z.enum(['owner', 'member']),
  /** Their read mark; null while it is hidden from you (a message request they have not accepted). */
  readSeq: z.number().int().nullable(),
});

export const ConversationState = z.enum(['active', 'request', 'declined']);

export const Conversation = z.object({
  id: z.string(),
  /** `shop`: a buyer and a shop (docs/shop.md); it sits in the shop's own folder for the shop's owner. */
  kind: z.enum(['direct', 'group', 'shop']),
  title: z.string().nullable(),
  members: z.array(ConversationMember),
  lastMessage: Message.nullable(),
  lastSeq: z.number().int(),
  unreadCount: z.number().int(),
  /** Your own standing: `request` while it waits in your Requests folder, `declined` once you declined it. */
  state: ConversationState,
  /** Your read mark. */
  readSeq: z.number().int(),
  createdAt: z.string(),
  lastMessageAt: z.string().nullable(),
});
export type Conversation = z.infer<typeof Conversation>;

export const ConversationListQuery = z.object({
  /** `shop`: the chats of the caller's shops with their buyers (kept out of `inbox`). */
  folder: z.enum(['inbox', 'requests', 'shop']).default('inbox'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

export const CreateConversationBody = z.object({
  memberIds: z.array(Id).min(1, 'must name at least one person').max(GROUP_MAX_MEMBERS - 1, `must name at most ${GROUP_MAX_MEMBERS - 1} people`),
  title: z.string().trim().min(1).max(80).optional(),
  /** Defaults to `direct` for one other person without a title, `group` otherwise. */
  kind: z.enum(['direct', 'group']).optional(),
});

const SeqParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const ConversationParams = z.object({ id: Id });
export const MessageParams = z.object({ id: Id, seq: SeqParam });
export const ReactionParams = z.object({ id: Id, seq: SeqParam, emoji: Emoji });
export const MemberParams = z.object({ id: Id, userId: Id });

export const MessageHistoryQuery = z.object({
  beforeSeq: z.coerce.number().int().min(1).optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const MessageSearchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const SendMessageBody = z
  .object({
    clientMsgId: ClientMsgId,
    text: MessageText.optional(),
    replyToSeq: z.number().int().min(1).optional(),
    share: ShareRef.optional(),
  })
  .refine((b) => b.text !== undefined || b.share !== undefined, { message: 'a message needs text or a share', path: ['text'] });
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const EditMessageBody = z.object({ text: MessageText });
export const ReadBody = z.object({ seq: z.number().int().min(0) });
export const AddMembersBody = z.object({ userIds: z.array(Id).min(1).max(GROUP_MAX_MEMBERS - 1) });

// ---- WebSocket frames of messaging (the unions are in realtime.ts) ----

const ConversationIdField = Id;

/** What the client holds at `hello`: conversationId → its last seq; at most 1,000 conversations. */
export const ResumeField = z
  .record(Id, z.number().int().min(0))
  .refine((r) => Object.keys(r).length <= 1000, 'must name at most 1000 conversations');
export const SendFrame = z
  .object({
    type: z.literal('send'),
    conversationId: ConversationIdField,
    clientMsgId: ClientMsgId,
    text: MessageText.optional(),
    replyToSeq: z.number().int().min(1).optional(),
    share: ShareRef.optional(),
  })
  .refine((b) => b.text !== undefined || b.share !== undefined, { message: 'a message needs text or a share', path: ['text'] });
export const ReadFrame = z.object({ type: z.literal('read'), conversationId: ConversationIdField, seq: z.number().int().min(0) });
export const TypingFrame = z.object({ type: z.literal('typing'), conversationId: ConversationIdField });

/** Frames messaging sends (documented in docs/messaging.md). */
export type MessagingServerFrame =
  | { type: 'ack'; clientMsgId: string; conversationId: string; seq: number; messageId: string }
  | { type: 'message'; message: Message }
  | { type: 'message.updated'; message: Message }
  | { type: 'read'; conversationId: string; userId: string; seq: number }
  | { type: 'typing'; conversationId: string; userId: string; expiresInMs: number }
  | { type: 'conversation.updated'; conversation: Conversation }
  | { type: 'conversation.removed'; conversationId: string };
