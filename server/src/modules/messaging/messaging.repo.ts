import { type Generated, type Selectable, sql } from 'kysely';
import { preparedAs } from '../../platform/db/client.ts';
import type { Executor } from '../../platform/db/tx.ts';

export interface ConversationsTable {
  id: Generated<string>;
  kind: 'direct' | 'group' | 'shop';
  title: string | null;
  direct_key: string | null;
  created_by: string | null;
  last_seq: Generated<string>;
  last_message_at: Date | null;
  created_at: Generated<Date>;
}

export type MemberState = 'active' | 'request' | 'declined';

export interface ConversationMembersTable {
  conversation_id: string;
  user_id: string;
  role: Generated<'owner' | 'member'>;
  state: Generated<MemberState>;
  engaged: Generated<boolean>;
  read_seq: Generated<string>;
  joined_at: Generated<Date>;
}

export interface MessagesTable {
  id: Generated<string>;
  conversation_id: string;
  seq: string;
  sender_id: string;
  client_msg_id: string;
  text: string | null;
  reply_to_seq: string | null;
  share_type: string | null;
  share_id: string | null;
  created_at: Generated<Date>;
  edited_at: Date | null;
  deleted_at: Date | null;
  search: Generated<string>;
}

export interface MessageReactionsTable {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    conversations: ConversationsTable;
    conversation_members: ConversationMembersTable;
    messages: MessagesTable;
    message_reactions: MessageReactionsTable;
  }
}

export type ConversationRow = Selectable<ConversationsTable>;
export type MemberRow = Selectable<ConversationMembersTable>;
export type MessageRow = Omit<Selectable<MessagesTable>, 'search'>;

const messageColumns = [
  'messages.id',
  'messages.conversation_id',
  'messages.seq',
  'messages.sender_id',
  'messages.client_msg_id',
  'messages.text',
  'messages.reply_to_seq',
  'messages.share_type',
  'messages.share_id',
  'messages.created_at',
  'messages.edited_at',
  'messages.deleted_at',
] as const;

export function directKey(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? `${a}:${b}` : `${b}:${a}`;
}

// ---- conversations and members ----

export async function findConversation(db: Executor, id: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findDirectConversation(db: Executor, key: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('direct_key', '=', key).executeTakeFirst();
}

export async function insertConversation(db: Executor, c: Pick<ConversationRow, 'kind' | 'title' | 'direct_key' | 'created_by'>) {
  return db.insertInto('conversations').values(c).returningAll().executeTakeFirstOrThrow();
}

export async function insertMembers(
  db: Executor,
  rows: Array<Pick<MemberRow, 'conversation_id' | 'user_id'> & Partial<Pick<MemberRow, 'role' | 'state' | 'engaged'>>>,
) {
  if (rows.length === 0) return;
  await db.insertInto('conversation_members').values(rows).onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing()).execute();
}

export async function findMember(db: Executor, conversationId: string, userId: string): Promise<MemberRow | undefined> {
  return db.selectFrom('conversation_members').selectAll().where('conversation_id', '=', conversationId).where('user_id', '=', userId).executeTakeFirst();
}

/** Conversations with all their member rows in one round trip (absent ids are left out): the send path's read. */
export async function findConversationsWithMembers(
  db: Executor,
  ids: readonly string[],
): Promise<Map<string, { conversation: ConversationRow; members: MemberRow[] }>> {
  const out = new Map<string, { conversation: ConversationRow; members: MemberRow[] }>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('conversations as c')
    .innerJoin('conversation_members as m', 'm.conversation_id', 'c.id')
    .select([
      'c.id',
      'c.kind',
      'c.title',
      'c.direct_key',
      'c.created_by',
      'c.last_seq',
      'c.last_message_at',
      'c.created_at',
      'm.conversation_id',
      'm.user_id',
      'm.role',
      'm.state',
      'm.engaged',
      'm.read_seq',
      'm.joined_at',
    ])
    .where('c.id', 'in', [...new Set(ids)])
    .orderBy('m.joined_at')
    .orderBy('m.user_id')
    .execute();
  for (const { id: cid, kind, title, direct_key, created_by, last_seq, last_message_at, created_at, ...m } of rows) {
    const key = String(cid);
    let found = out.get(key);
    if (!found) {
      found = { conversation: { id: cid, kind, title, direct_key, created_by, last_seq, last_message_at, created_at }, members: [] };
      out.set(key, found);
    }
    found.members.push(m);
  }
  return out;
}

export async function listMembers(db: Executor, conversationIds: readonly string[]): Promise<MemberRow[]> {
  if (conversationIds.length === 0) return [];
  return db.selectFrom('conversation_members').selectAll().where('conversation_id', 'in', conversationIds).orderBy('joined_at').orderBy('user_id').execute();
}

export async function updateMember(
  db: Executor,
  conversationId: string,
  userId: string,
  patch: Partial<Pick<MemberRow, 'state' | 'engaged' | 'role'>>,
) {
  await db.updateTable('conversation_members').set(patch).where('conversation_id', '=', conversationId).where('user_id', '=', userId).execute();
}

export async function deleteMember(db: Executor, conversationId: string, userId: string) {
  await db.deleteFrom('conversation_members').where('conversation_id', '=', conversationId).where('user_id', '=', userId).execute();
}

/** Moves a read mark forward only, never past the last message. Returns the new mark, or null if it did not move. */
export async function advanceReadSeq(db: Executor, conversationId: string, userId: string, seq: number): Promise<number | null> {
  const row = await db
    .updateTable('conversation_members')
    .set({ read_seq: sql`LEAST(${seq}::bigint, (SELECT last_seq FROM conversations WHERE id = ${conversationId}))` })
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .where('read_seq', '<', sql<string>`LEAST(${seq}::bigint, (SELECT last_seq FROM conversations WHERE id = ${conversationId}))`)
    .returning('read_seq')
    .executeTakeFirst();
  return row ? Number(row.read_seq) : null;
}

/** The viewer's conversations in one folder, most recent activity first (keyset on activity, id). */
export async function listConversationsFor(
  db: Executor,
  userId: string,
  opts: { states: MemberState[]; limit: number; after: { at: string; id: string } | null; shopSide?: 'only' | 'exclude' },
) {
  let q = db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .selectAll('c')
    .select(['m.state as my_state', 'm.read_seq as my_read_seq', sql<string>`coalesce(c.last_message_at, c.created_at)`.as('activity_at')])
    .where('m.user_id', '=', userId)
    .where('m.state', 'in', opts.states)
    // An empty conversation shows only to the person who opened it.
    .where((eb) => eb.or([eb('c.last_seq', '>', '0'), eb('c.created_by', '=', userId)]));
  // A shop's chats with buyers (where this person is the shop's side) have a folder of their own.
  if (opts.shopSide === 'only') q = q.where('c.kind', '=', 'shop').where('m.role', '=', 'owner');
  if (opts.shopSide === 'exclude') q = q.where((eb) => eb.or([eb('c.kind', '!=', 'shop'), eb('m.role', '!=', 'owner')]));
  if (opts.after) {
    const { at, id } = opts.after;
    q = q.where(sql<boolean>`(coalesce(c.last_message_at, c.created_at), c.id) < (${at}::timestamptz, ${id}::bigint)`);
  }
  return q
    .orderBy(sql`coalesce(c.last_message_at, c.created_at)`, 'desc')
    .orderBy('c.id', 'desc')
    .limit(opts.limit + 1)
    .execute();
}

/** Every conversation a user belongs to, with its last seq: the gateway's baseline for gap detection. */
export async function conversationSeqsFor(db: Executor, userId: string) {
  return db
    .selectFrom('conversation_members as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['c.id', 'c.last_seq', 'm.state'])
    .where('m.user_id', '=', userId)
    .execute();
}

export async function updateConversationTitle(db: Executor, id: string, title: string | null) {
  await db.updateTable('conversations').set({ title }).where('id', '=', id).execute();
}

// ---- messages ----

export type NewMessage = Pick<MessageRow, 'conversation_id' | 'sender_id' | 'client_msg_id' | 'text' | 'reply_to_seq' | 'share_type' | 'share_id'>;

/**
 * Inserts many messages, across any number of conversations and senders, in ONE statement
 * (atomic without an explicit transaction, one round trip): the conversations' rows are locked
 * in id order first (so two such writes — two nodes, two shares — can never deadlock), each
 * takes as many seqs as it gets messages (gap-free, in the order given), the messages are
 * inserted, and each sender's read mark moves past what they sent (accepting a request, as a
 * reply would). Rows come back in the order given. One duplicate (sender, clientMsgId) raises
 * 23505 and nothing is written.
 *
 * This is the busiest statement, so it is kept lean (each change measured by bench:messaging):
 * each item's place in its conversation and each conversation's count are worked out here
 * rather than by a window and a GROUP BY; only what the database decides comes back (id, seq,
 * created_at — the transaction's start, the same for every row), not every column; and the
 * rows are matched to the items here instead of by joining them back in SQL.
 */
export async function insertMessagesWithNextSeqs(db: Executor, items: readonly NewMessage[]): Promise<MessageRow[]> {
  if (items.length === 0) return [];
  const col = <K extends keyof NewMessage>(k: K) => sql.val(items.map((i) => i[k]));
  // Each item's place among its conversation's items (1, 2, …), and each conversation's count.
  const counts = new Map<string, number>();
  const ranks = items.map((i) => {
    const k = (counts.get(String(i.conversation_id)) ?? 0) + 1;
    counts.set(String(i.conversation_id), k);
    return k;
  });
  const result = await sql<{ id: string; conversation_id: string; seq: string; created_ms: string }>`${sql.raw(preparedAs('insert-messages'))}
    WITH locked AS MATERIALIZED (
      SELECT id FROM conversations WHERE id = ANY(${sql.val([...counts.keys()])}::bigint[]) ORDER BY id FOR UPDATE
    ), next AS (
      UPDATE conversations c SET last_seq = c.last_seq + counts.k, last_message_at = now()
      FROM unnest(${sql.val([...counts.keys()])}::bigint[], ${sql.val([...counts.values()])}::int[]) AS counts(id, k), locked
      WHERE c.id = counts.id AND locked.id = c.id
      RETURNING c.id, c.last_seq, counts.k
    ), inserted AS (
      INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, text, reply_to_seq, share_type, share_id)
      SELECT i.conversation_id, next.last_seq - next.k + i.k, i.sender_id, i.client_msg_id, i.text, i.reply_to_seq, i.share_type, i.share_id
      FROM unnest(
        ${col('conversation_id')}::bigint[], ${col('sender_id')}::bigint[], ${col('client_msg_id')}::text[], ${col('text')}::text[],
        ${col('reply_to_seq')}::bigint[], ${col('share_type')}::text[], ${col('share_id')}::text[], ${sql.val(ranks)}::int[]
      ) WITH ORDINALITY AS i(conversation_id, sender_id, client_msg_id, text, reply_to_seq, share_type, share_id, k, n)
      JOIN next ON next.id = i.conversation_id
      ORDER BY i.n
      RETURNING id, conversation_id, seq, sender_id, created_at
    ), mark AS (
      UPDATE conversation_members m SET read_seq = GREATEST(m.read_seq, s.seq), state = 'active', engaged = true
      FROM (SELECT conversation_id, sender_id, max(seq) AS seq FROM inserted GROUP BY conversation_id, sender_id) s
      WHERE m.conversation_id = s.conversation_id AND m.user_id = s.sender_id
    )
    SELECT id, conversation_id, seq, floor(extract(epoch FROM created_at) * 1000)::bigint AS created_ms FROM inserted`.execute(db);
  // Each conversation's items took consecutive seqs in the order given: its lowest seq is its first item's.
  const firstSeq = new Map<string, number>();
  for (const r of result.rows) {
    const seq = Number(r.seq);
    if (seq < (firstSeq.get(r.conversation_id) ?? Number.POSITIVE_INFINITY)) firstSeq.set(r.conversation_id, seq);
  }
  const rowAt = new Map(result.rows.map((r) => [`${r.conversation_id}:${r.seq}`, r]));
  let createdMs = '';
  let createdAt = new Date(0);
  return items.map((i, n) => {
    const conversationId = String(i.conversation_id);
    const r = rowAt.get(`${conversationId}:${(firstSeq.get(conversationId) ?? Number.NaN) + ranks[n]! - 1}`);
    if (!r) throw new Error('conversation vanished while sending');
    if (r.created_ms !== createdMs) {
      createdMs = r.created_ms;
      createdAt = new Date(Number(createdMs));
    }
    return {
      id: r.id,
      conversation_id: i.conversation_id,
      seq: r.seq,
      sender_id: i.sender_id,
      client_msg_id: i.client_msg_id,
      text: i.text,
      reply_to_seq: i.reply_to_seq,
      share_type: i.share_type,
      share_id: i.share_id,
      created_at: createdAt,
      edited_at: null,
      deleted_at: null,
    };
  });
}

/** Messages already made by these (sender, clientMsgId) pairs: the retries in a batch of sends. */
export async function findMessagesByClientIds(db: Executor, pairs: ReadonlyArray<{ senderId: string; clientMsgId: string }>): Promise<MessageRow[]> {
  if (pairs.length === 0) return [];
  return db
    .selectFrom('messages')
    .select(messageColumns)
    .where(
      sql<boolean>`(sender_id, client_msg_id) IN (SELECT * FROM unnest(${pairs.map((p) => p.senderId)}::bigint[], ${pairs.map((p) => p.clientMsgId)}::text[]))`,
    )
    .execute();
}

export async function findMessageBySeq(db: Executor, conversationId: string, seq: number): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').select(messageColumns).where('conversation_id', '=', conversationId).where('seq', '=', String(seq)).executeTakeFirst();
}

export async function findMessagesBySeqs(db: Executor, pairs: ReadonlyArray<{ conversationId: string; seq: string }>): Promise<MessageRow[]> {
  if (pairs.length === 0) return [];
  return db
    .selectFrom('messages')
    .select(messageColumns)
    .where((eb) => eb.or(pairs.map((p) => eb.and([eb('conversation_id', '=', p.conversationId), eb('seq', '=', p.seq)]))))
    .execute();
}

/** A page of history: before a seq (newest first, flipped by the caller) or after one (oldest first). */
export async function listMessages(db: Executor, conversationId: string, opts: { beforeSeq?: number; afterSeq?: number; limit: number }) {
  let q = db.selectFrom('messages').select(messageColumns).where('conversation_id', '=', conversationId);
  if (opts.afterSeq !== undefined) {
    q = q.where('seq', '>', String(opts.afterSeq));
    if (opts.beforeSeq !== undefined) q = q.where('seq', '<', String(opts.beforeSeq));
    return q.orderBy('seq', 'asc').limit(opts.limit + 1).execute();
  }
  if (opts.beforeSeq !== undefined) q = q.where('seq', '<', String(opts.beforeSeq));
  return q.orderBy('seq', 'desc').limit(opts.limit + 1).execute();
}

/** Messages one search request reads at most: a page can come back short, with a cursor to look further back. */
export const SEARCH_WINDOW = 50_000;

/**
 * Matches among the SEARCH_WINDOW messages before `beforeSeq`, newest first. Seqs are gap-free,
 * so that window is a seq range read through the (conversation_id, seq) index, and each row's
 * stored tsvector is matched as it is read: a search costs the same in a chat of a hundred
 * messages or of millions, and sends update no search index.
 */
export async function searchMessages(db: Executor, conversationId: string, query: string, opts: { beforeSeq: number; limit: number }) {
  return db
    .selectFrom('messages')
    .select(messageColumns)
    .where('conversation_id', '=', conversationId)
    .where('seq', '<', String(opts.beforeSeq))
    .where('seq', '>=', String(opts.beforeSeq - SEARCH_WINDOW))
    .where('deleted_at', 'is', null)
    .where(sql<boolean>`search @@ plainto_tsquery('simple', ${query})`)
    .orderBy('seq', 'desc')
    .limit(opts.limit + 1)
    .execute();
}

export async function editMessageText(db: Executor, id: string, text: string): Promise<MessageRow> {
  return db.updateTable('messages').set({ text, edited_at: sql`now()` }).where('id', '=', id).returning(messageColumns).executeTakeFirstOrThrow();
}

export async function unsendMessage(db: Executor, id: string): Promise<MessageRow> {
  await db.deleteFrom('message_reactions').where('message_id', '=', id).execute();
  return db
    .updateTable('messages')
    .set({ text: null, share_type: null, share_id: null, deleted_at: sql`coalesce(deleted_at, now())` })
    .where('id', '=', id)
    .returning(messageColumns)
    .executeTakeFirstOrThrow();
}

// ---- reactions ----

export async function addReaction(db: Executor, messageId: string, userId: string, emoji: string) {
  await db.insertInto('message_reactions').values({ message_id: messageId, user_id: userId, emoji }).onConflict((oc) => oc.doNothing()).execute();
}

export async function removeReaction(db: Executor, messageId: string, userId: string, emoji: string) {
  await db.deleteFrom('message_reactions').where('message_id', '=', messageId).where('user_id', '=', userId).where('emoji', '=', emoji).execute();
}

export async function countUserReactions(db: Executor, messageId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('message_reactions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('message_id', '=', messageId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function reactionsFor(db: Executor, messageIds: readonly string[]) {
  if (messageIds.length === 0) return [];
  return db
    .selectFrom('message_reactions')
    .select(['message_id', 'user_id', 'emoji'])
    .where('message_id', 'in', messageIds)
    .orderBy('created_at')
    .orderBy('user_id')
    .execute();
}

export async function findMessagesByIds(db: Executor, ids: readonly string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('messages').select(messageColumns).where('id', 'in', ids).execute();
}

/**
 * Per conversation, how much `senderId` has written there lately: a sum of exp(-age / halfLife)
 * over their messages of the last `days` days (recent chatting weighs more than old chatting).
 */
export async function sentActivity(db: Executor, senderId: string, days: number, halfLifeDays: number) {
  const result = await sql<{ conversation_id: string; score: number; last_at: Date }>`
    SELECT conversation_id,
           sum(exp(-ln(2) * extract(epoch FROM now() - created_at) / ${halfLifeDays * 86400}))::float8 AS score,
           max(created_at) AS last_at
    FROM messages
    WHERE sender_id = ${senderId} AND created_at > now() - make_interval(days => ${days})
    GROUP BY conversation_id`.execute(db);
  return result.rows;
}
