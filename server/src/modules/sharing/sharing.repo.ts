import { type Generated, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface VideoSharesTable {
  id: Generated<string>;
  video_id: string;
  sender_id: string;
  conversation_id: string;
  message_id: string;
  client_share_id: string | null;
  created_at: Generated<Date>;
}
export interface VideoShareSettingsTable {
  video_id: string;
  allow_sharing: boolean;
  updated_at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    video_shares: VideoSharesTable;
    video_share_settings: VideoShareSettingsTable;
  }
}

/** Appends one share event per conversation (append-only: the ranking reads these). */
export async function insertShareEvents(
  db: Executor,
  rows: ReadonlyArray<{ video_id: string; sender_id: string; conversation_id: string; message_id: string; client_share_id: string | null }>,
) {
  if (rows.length === 0) return;
  await db.insertInto('video_shares').values([...rows]).execute();
}

/** The messages a share with this clientShareId already made (a retry). */
export async function findByClientShareId(db: Executor, senderId: string, clientShareId: string) {
  return db
    .selectFrom('video_shares')
    .select(['video_id', 'message_id', 'conversation_id'])
    .where('sender_id', '=', senderId)
    .where('client_share_id', '=', clientShareId)
    .orderBy('id')
    .execute();
}

/** Whether sharing is allowed, per clip (no row: allowed). */
export async function sharingAllowed(db: Executor, videoIds: readonly string[]): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>(videoIds.map((id) => [id, true]));
  if (videoIds.length === 0) return out;
  const rows = await db.selectFrom('video_share_settings').select(['video_id', 'allow_sharing']).where('video_id', 'in', videoIds).execute();
  for (const r of rows) out.set(String(r.video_id), r.allow_sharing);
  return out;
}

export async function setSharingAllowed(db: Executor, videoId: string, allow: boolean) {
  await db
    .insertInto('video_share_settings')
    .values({ video_id: videoId, allow_sharing: allow })
    .onConflict((oc) => oc.column('video_id').doUpdateSet({ allow_sharing: allow, updated_at: sql`now()` }))
    .execute();
}

/** Per conversation, the sender's recent shares into it, decayed like chat activity. */
export async function shareActivity(db: Executor, senderId: string, days: number, halfLifeDays: number) {
  const result = await sql<{ conversation_id: string; score: number }>`
    SELECT conversation_id,
           sum(exp(-ln(2) * extract(epoch FROM now() - created_at) / ${halfLifeDays * 86400}))::float8 AS score
    FROM video_shares
    WHERE sender_id = ${senderId} AND created_at > now() - make_interval(days => ${days})
    GROUP BY conversation_id`.execute(db);
  return result.rows;
}
