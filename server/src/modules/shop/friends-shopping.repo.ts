import { type Generated, type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

/** "Should I get it?" polls and wishlists (docs/shop.md "Shopping with friends"). */

export interface ProductPollsTable {
  id: Generated<string>;
  conversation_id: string;
  product_id: string;
  asker_id: string;
  message_id: string | null;
  created_at: Generated<Date>;
}
export interface ProductPollVotesTable {
  poll_id: string;
  user_id: string;
  choice: 'yes' | 'no';
  updated_at: Generated<Date>;
}
export interface WishlistItemsTable {
  user_id: string;
  product_id: string;
  created_at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    product_polls: ProductPollsTable;
    product_poll_votes: ProductPollVotesTable;
    wishlist_items: WishlistItemsTable;
  }
}

export type PollRow = Selectable<ProductPollsTable>;

// ---- polls ----

export const insertPoll = (db: Executor, p: { conversation_id: string; product_id: string; asker_id: string }) =>
  db.insertInto('product_polls').values({ ...p, message_id: null }).returningAll().executeTakeFirstOrThrow();

export async function setPollMessage(db: Executor, pollId: string, messageId: string) {
  await db.updateTable('product_polls').set({ message_id: messageId }).where('id', '=', pollId).execute();
}

export async function deletePoll(db: Executor, pollId: string) {
  await db.deleteFrom('product_polls').where('id', '=', pollId).execute();
}

export const findPolls = (db: Executor, ids: readonly string[]) =>
  ids.length ? db.selectFrom('product_polls').selectAll().where('id', 'in', ids).execute() : Promise.resolve([] as PollRow[]);

/** Yes and no counts of each poll. */
export async function pollCounts(db: Executor, pollIds: readonly string[]): Promise<Map<string, { yes: number; no: number }>> {
  const out = new Map<string, { yes: number; no: number }>(pollIds.map((id) => [id, { yes: 0, no: 0 }]));
  if (!pollIds.length) return out;
  const rows = await db
    .selectFrom('product_poll_votes')
    .select(['poll_id', 'choice', sql<string>`count(*)`.as('n')])
    .where('poll_id', 'in', pollIds)
    .groupBy(['poll_id', 'choice'])
    .execute();
  for (const r of rows) {
    const c = out.get(String(r.poll_id));
    if (c) c[r.choice] = Number(r.n);
  }
  return out;
}

/** Each viewer's votes: `viewerId:pollId` → choice. */
export async function votesOf(db: Executor, viewerIds: readonly string[], pollIds: readonly string[]): Promise<Map<string, 'yes' | 'no'>> {
  if (!viewerIds.length || !pollIds.length) return new Map();
  const rows = await db.selectFrom('product_poll_votes').select(['poll_id', 'user_id', 'choice']).where('poll_id', 'in', pollIds).where('user_id', 'in', viewerIds).execute();
  return new Map(rows.map((r) => [`${r.user_id}:${r.poll_id}`, r.choice]));
}

/** One vote per member: a second vote replaces the first (the primary key settles two at once). */
export async function setVote(db: Executor, pollId: string, userId: string, choice: 'yes' | 'no') {
  await db
    .insertInto('product_poll_votes')
    .values({ poll_id: pollId, user_id: userId, choice })
    .onConflict((oc) => oc.columns(['poll_id', 'user_id']).doUpdateSet({ choice, updated_at: sql`now()` }))
    .execute();
}

export async function clearVote(db: Executor, pollId: string, userId: string) {
  await db.deleteFrom('product_poll_votes').where('poll_id', '=', pollId).where('user_id', '=', userId).execute();
}

// ---- wishlists ----

export async function addToWishlist(db: Executor, userId: string, productId: string): Promise<boolean> {
  const row = await db
    .insertInto('wishlist_items')
    .values({ user_id: userId, product_id: productId })
    .onConflict((oc) => oc.columns(['user_id', 'product_id']).doNothing())
    .returning('product_id')
    .executeTakeFirst();
  return Boolean(row);
}

export async function removeFromWishlist(db: Executor, userId: string, productId: string) {
  await db.deleteFrom('wishlist_items').where('user_id', '=', userId).where('product_id', '=', productId).execute();
}

export async function isOnWishlist(db: Executor, userId: string, productId: string): Promise<boolean> {
  return Boolean(await db.selectFrom('wishlist_items').select('product_id').where('user_id', '=', userId).where('product_id', '=', productId).executeTakeFirst());
}

/** A page of a wishlist, most recently saved first (keyset on saved-at and product id). */
export function listWishlist(db: Executor, userId: string, after: { at: string; id: string } | null, limit: number) {
  // The position as text keeps the microseconds a JS Date would drop (the keyset must be exact).
  let q = db.selectFrom('wishlist_items').select(['product_id', sql<string>`created_at::text`.as('at')]).where('user_id', '=', userId);
  if (after) q = q.where(sql<boolean>`(created_at, product_id) < (${after.at}::timestamptz, ${after.id}::bigint)`);
  return q.orderBy('created_at', 'desc').orderBy('product_id', 'desc').limit(limit).execute();
}
