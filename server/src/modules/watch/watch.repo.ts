import { type Generated, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface WatchSessionsTable {
  conversation_id: string;
  id: Generated<string>;
  video_id: string;
  started_by: string;
  playing: boolean;
  position_ms: number;
  at_ms: string | number;
  rev: Generated<number>;
  created_at: Generated<Date>;
}

export interface WatchParticipantsTable {
  conversation_id: string;
  user_id: string;
  joined_at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    watch_sessions: WatchSessionsTable;
    watch_participants: WatchParticipantsTable;
  }
}

/** A session's row with numbers as numbers (bigints come back as text from `pg`). */
export interface SessionRow {
  id: string;
  conversationId: string;
  videoId: string;
  startedBy: string;
  playing: boolean;
  positionMs: number;
  at: number;
  rev: number;
}

export interface PlaybackState {
  videoId: string;
  playing: boolean;
  positionMs: number;
  at: number;
}

function toRow(r: { id: string; conversation_id: string; video_id: string; started_by: string; playing: boolean; position_ms: number; at_ms: string | number; rev: number }): SessionRow {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    videoId: String(r.video_id),
    startedBy: String(r.started_by),
    playing: r.playing,
    positionMs: Number(r.position_ms),
    at: Number(r.at_ms),
    rev: Number(r.rev),
  };
}

const COLUMNS = ['id', 'conversation_id', 'video_id', 'started_by', 'playing', 'position_ms', 'at_ms', 'rev'] as const;

export async function findSession(db: Executor, conversationId: string, opts: { lock?: boolean } = {}): Promise<SessionRow | null> {
  let q = db.selectFrom('watch_sessions').select(COLUMNS).where('conversation_id', '=', conversationId);
  if (opts.lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r ? toRow(r) : null;
}

/** Starts a session unless the conversation has one; null when it does. */
export async function insertSession(db: Executor, conversationId: string, startedBy: string, s: PlaybackState): Promise<SessionRow | null> {
  const r = await db
    .insertInto('watch_sessions')
    .values({ conversation_id: conversationId, video_id: s.videoId, started_by: startedBy, playing: s.playing, position_ms: s.positionMs, at_ms: s.at })
    .onConflict((oc) => oc.column('conversation_id').doNothing())
    .returning(COLUMNS)
    .executeTakeFirst();
  return r ? toRow(r) : null;
}

/** The new playback state, only if the session is still the one read (`id`, `rev`): a conditional update, no lost change. */
export async function updateState(db: Executor, before: SessionRow, s: PlaybackState): Promise<SessionRow | null> {
  const r = await db
    .updateTable('watch_sessions')
    .set({ video_id: s.videoId, playing: s.playing, position_ms: s.positionMs, at_ms: s.at, rev: sql<number>`rev + 1` })
    .where('conversation_id', '=', before.conversationId)
    .where('id', '=', before.id)
    .where('rev', '=', before.rev)
    .returning(COLUMNS)
    .executeTakeFirst();
  return r ? toRow(r) : null;
}

export async function deleteSession(db: Executor, conversationId: string): Promise<SessionRow | null> {
  const r = await db.deleteFrom('watch_sessions').where('conversation_id', '=', conversationId).returning(COLUMNS).executeTakeFirst();
  return r ? toRow(r) : null;
}

/** Bumps `rev` (participants changed) and returns the row, or null when there is no session. */
export async function touchSession(db: Executor, conversationId: string): Promise<SessionRow | null> {
  const r = await db.updateTable('watch_sessions').set({ rev: sql<number>`rev + 1` }).where('conversation_id', '=', conversationId).returning(COLUMNS).executeTakeFirst();
  return r ? toRow(r) : null;
}

export async function addParticipant(db: Executor, conversationId: string, userId: string): Promise<boolean> {
  const r = await db
    .insertInto('watch_participants')
    .values({ conversation_id: conversationId, user_id: userId })
    .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function removeParticipant(db: Executor, conversationId: string, userId: string): Promise<boolean> {
  const r = await db.deleteFrom('watch_participants').where('conversation_id', '=', conversationId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function participantIds(db: Executor, conversationId: string): Promise<string[]> {
  const rows = await db.selectFrom('watch_participants').select('user_id').where('conversation_id', '=', conversationId).orderBy('joined_at').orderBy('user_id').execute();
  return rows.map((r) => String(r.user_id));
}
