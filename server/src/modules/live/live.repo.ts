import { type Generated, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface LivesTable {
  id: Generated<string>;
  host_id: string;
  title: string;
  visibility: string;
  status: Generated<string>;
  stream_key_hash: Buffer;
  slow_mode_sec: Generated<number>;
  followers_only: Generated<boolean>;
  pinned_type: string | null;
  pinned_id: string | null;
  heart_count: Generated<string>;
  replay_video_id: string | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  ended_at: Date | null;
}

export interface LiveChatMessagesTable {
  id: Generated<string>;
  live_id: string;
  user_id: string;
  client_msg_id: string;
  text: string;
  created_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface LiveModeratorsTable {
  live_id: string;
  user_id: string;
}

export interface LiveBansTable {
  live_id: string;
  user_id: string;
  until: Date | null;
  created_at: Generated<Date>;
}

export interface LiveViewerCountsTable {
  live_id: string;
  node_id: string;
  viewers: number;
  updated_at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    lives: LivesTable;
    live_chat_messages: LiveChatMessagesTable;
    live_moderators: LiveModeratorsTable;
    live_bans: LiveBansTable;
    live_viewer_counts: LiveViewerCountsTable;
  }
}

export interface LiveRow {
  id: string;
  host_id: string;
  title: string;
  visibility: 'public' | 'followers' | 'friends';
  status: 'waiting' | 'live' | 'ended';
  slow_mode_sec: number;
  followers_only: boolean;
  pinned_type: 'message' | 'product' | null;
  pinned_id: string | null;
  heart_count: string;
  replay_video_id: string | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
}

export interface ChatRow {
  id: string;
  live_id: string;
  user_id: string;
  text: string;
  created_at: Date;
  deleted_at: Date | null;
}

const LIVE_COLUMNS = [
  'id',
  'host_id',
  'title',
  'visibility',
  'status',
  'slow_mode_sec',
  'followers_only',
  'pinned_type',
  'pinned_id',
  'heart_count',
  'replay_video_id',
  'created_at',
  'started_at',
  'ended_at',
] as const;

const asLive = (r: unknown) => r as LiveRow;

export async function insertLive(db: Executor, l: { host_id: string; title: string; visibility: string; stream_key_hash: Buffer }): Promise<LiveRow> {
  return asLive(await db.insertInto('lives').values(l).returning(LIVE_COLUMNS).executeTakeFirstOrThrow());
}

export async function findLive(db: Executor, id: string): Promise<LiveRow | undefined> {
  return asLive(await db.selectFrom('lives').select(LIVE_COLUMNS).where('id', '=', id).executeTakeFirst());
}

/** A live that may still be published to (waiting or on air), by the hash of its key. */
export async function findPublishableByKeyHash(db: Executor, hash: Buffer): Promise<LiveRow | undefined> {
  const r = await db.selectFrom('lives').select(LIVE_COLUMNS).where('stream_key_hash', '=', hash).where('status', 'in', ['waiting', 'live']).executeTakeFirst();
  return r ? asLive(r) : undefined;
}

export interface LiveSettingsPatch {
  slow_mode_sec?: number;
  followers_only?: boolean;
  pinned_type?: string | null;
  pinned_id?: string | null;
}

export async function updateLiveSettings(db: Executor, id: string, patch: LiveSettingsPatch): Promise<LiveRow | undefined> {
  const r = await db.updateTable('lives').set(patch).where('id', '=', id).returning(LIVE_COLUMNS).executeTakeFirst();
  return r ? asLive(r) : undefined;
}

/** waiting → live (conditional: only the first playlist starts it). */
export async function markOnAir(db: Executor, id: string): Promise<LiveRow | undefined> {
  const r = await db.updateTable('lives').set({ status: 'live', started_at: new Date() }).where('id', '=', id).where('status', '=', 'waiting').returning(LIVE_COLUMNS).executeTakeFirst();
  return r ? asLive(r) : undefined;
}

/** waiting|live → ended (conditional: ends once; `onlyIf` 'waiting': only a live that never went on air). */
export async function markEnded(db: Executor, id: string, onlyIf?: 'waiting'): Promise<LiveRow | undefined> {
  const r = await db
    .updateTable('lives')
    .set({ status: 'ended', ended_at: new Date() })
    .where('id', '=', id)
    .where('status', onlyIf ? '=' : '!=', onlyIf ?? 'ended')
    .returning(LIVE_COLUMNS)
    .executeTakeFirst();
  return r ? asLive(r) : undefined;
}

export async function setReplayVideo(db: Executor, id: string, videoId: string) {
  await db.updateTable('lives').set({ replay_video_id: videoId }).where('id', '=', id).execute();
}

export async function addHearts(db: Executor, id: string, n: number) {
  await db
    .updateTable('lives')
    .set({ heart_count: sql`heart_count + ${n}` })
    .where('id', '=', id)
    .execute();
}

/** Lives on air whose host is in `hostIds` or that are public; newest first. */
export async function listOnAir(db: Executor, limit: number): Promise<LiveRow[]> {
  const rows = await db.selectFrom('lives').select(LIVE_COLUMNS).where('status', '=', 'live').orderBy('started_at', 'desc').limit(limit).execute();
  return rows.map(asLive);
}

/** Hosts among `hostIds` who are on air now, with their live. */
export async function onAirByHosts(db: Executor, hostIds: readonly string[]): Promise<Array<{ id: string; host_id: string; visibility: string }>> {
  if (hostIds.length === 0) return [];
  const rows = await db.selectFrom('lives').select(['id', 'host_id', 'visibility']).where('status', '=', 'live').where('host_id', 'in', hostIds).execute();
  return rows.map((r) => ({ id: String(r.id), host_id: String(r.host_id), visibility: r.visibility }));
}

/** Lives still waiting for their stream that were created before `before` (the sweep ends them), oldest first. */
export async function listWaitingSince(db: Executor, before: Date, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('lives').select('id').where('status', '=', 'waiting').where('created_at', '<', before).orderBy('created_at').limit(limit).execute();
  return rows.map((r) => String(r.id));
}

// ---- chat ----

export async function insertChat(db: Executor, m: { live_id: string; user_id: string; client_msg_id: string; text: string }): Promise<{ row: ChatRow; created: boolean }> {
  const inserted = await db
    .insertInto('live_chat_messages')
    .values(m)
    .onConflict((oc) => oc.columns(['live_id', 'user_id', 'client_msg_id']).doNothing())
    .returning(['id', 'live_id', 'user_id', 'text', 'created_at', 'deleted_at'])
    .executeTakeFirst();
  if (inserted) return { row: inserted as ChatRow, created: true };
  const row = await db
    .selectFrom('live_chat_messages')
    .select(['id', 'live_id', 'user_id', 'text', 'created_at', 'deleted_at'])
    .where('live_id', '=', m.live_id)
    .where('user_id', '=', m.user_id)
    .where('client_msg_id', '=', m.client_msg_id)
    .executeTakeFirstOrThrow();
  return { row: row as ChatRow, created: false };
}

export async function recentChat(db: Executor, liveId: string, limit: number): Promise<ChatRow[]> {
  const rows = await db
    .selectFrom('live_chat_messages')
    .select(['id', 'live_id', 'user_id', 'text', 'created_at', 'deleted_at'])
    .where('live_id', '=', liveId)
    .where('deleted_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return (rows as ChatRow[]).reverse();
}

export async function findChat(db: Executor, liveId: string, id: string): Promise<ChatRow | undefined> {
  const r = await db
    .selectFrom('live_chat_messages')
    .select(['id', 'live_id', 'user_id', 'text', 'created_at', 'deleted_at'])
    .where('live_id', '=', liveId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r as ChatRow | undefined;
}

export async function markChatDeleted(db: Executor, liveId: string, id: string): Promise<boolean> {
  const r = await db.updateTable('live_chat_messages').set({ deleted_at: new Date() }).where('live_id', '=', liveId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// ---- moderators and bans ----

export async function isModerator(db: Executor, liveId: string, userId: string): Promise<boolean> {
  const r = await db.selectFrom('live_moderators').select('user_id').where('live_id', '=', liveId).where('user_id', '=', userId).executeTakeFirst();
  return Boolean(r);
}

export async function addModerator(db: Executor, liveId: string, userId: string) {
  await db.insertInto('live_moderators').values({ live_id: liveId, user_id: userId }).onConflict((oc) => oc.doNothing()).execute();
}

export async function removeModerator(db: Executor, liveId: string, userId: string) {
  await db.deleteFrom('live_moderators').where('live_id', '=', liveId).where('user_id', '=', userId).execute();
}

export async function upsertBan(db: Executor, liveId: string, userId: string, until: Date | null) {
  await db
    .insertInto('live_bans')
    .values({ live_id: liveId, user_id: userId, until })
    .onConflict((oc) => oc.columns(['live_id', 'user_id']).doUpdateSet({ until, created_at: new Date() }))
    .execute();
}

export async function removeBan(db: Executor, liveId: string, userId: string) {
  await db.deleteFrom('live_bans').where('live_id', '=', liveId).where('user_id', '=', userId).execute();
}

/** The ban in force now, if any (`until` null: for the rest of the live). */
export async function activeBan(db: Executor, liveId: string, userId: string): Promise<{ until: Date | null } | undefined> {
  return db
    .selectFrom('live_bans')
    .select('until')
    .where('live_id', '=', liveId)
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', new Date())]))
    .executeTakeFirst();
}

// ---- viewer counts ----

export async function writeViewerCounts(db: Executor, nodeId: string, counts: ReadonlyArray<{ liveId: string; viewers: number }>) {
  if (counts.length === 0) return;
  await db
    .insertInto('live_viewer_counts')
    .values(counts.map((c) => ({ live_id: c.liveId, node_id: nodeId, viewers: c.viewers, updated_at: new Date() })))
    .onConflict((oc) => oc.columns(['live_id', 'node_id']).doUpdateSet((eb) => ({ viewers: eb.ref('excluded.viewers'), updated_at: eb.ref('excluded.updated_at') })))
    .execute();
}

/** Viewers of each live: the sum of every node's count written since `since`. */
export async function viewerCounts(db: Executor, liveIds: readonly string[], since: Date): Promise<Map<string, number>> {
  if (liveIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('live_viewer_counts')
    .select(['live_id', sql<string>`sum(viewers)`.as('n')])
    .where('live_id', 'in', liveIds)
    .where('updated_at', '>', since)
    .groupBy('live_id')
    .execute();
  return new Map(rows.map((r) => [String(r.live_id), Number(r.n)]));
}
