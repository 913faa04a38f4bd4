import type { WatchSession } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../app/errors.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import { getUserViews } from '../accounts/index.ts';
import { loadVisibleVideo } from '../media/index.ts';
import { memberIdsOf } from '../messaging/index.ts';
import * as repo from './watch.repo.ts';

/**
 * Watching together (docs/watch-together.md): one session per conversation, kept in the
 * database so every node reads the same state, and published on `watch:<conversationId>`
 * (pub/sub crosses nodes) to the sockets that joined. The server schedules every start at a
 * shared instant `START_LEAD_MS` ahead, so clients that synced their clocks start together.
 */

/** How far ahead a start is scheduled: enough for the frame to reach every client and its player to be ready. */
export const START_LEAD_MS = 300;
/** Times a control is re-read and re-applied when another changed the session at the same moment. */
const CONTROL_ATTEMPTS = 5;

export const watchChannel = (conversationId: string) => `watch:${conversationId}`;

export const sessionNotFound = () => new AppError('watch_session_not_found', 404, 'Nobody is watching in this conversation');
const conversationNotFound = () => new AppError('conversation_not_found', 404, 'No such conversation');

/** What goes on the watch channel: the members at publish time ride along, so a removed member's socket drops it (and leaves). */
export interface PublishedWatchState {
  type: 'watch.state';
  conversationId: string;
  session: WatchSession | null;
  /** Only on the watch channel; stripped before a socket gets the frame. */
  memberIds?: string[];
}

/** The conversation's current members (declined ones excluded); 404 for everyone else. */
export async function requireWatchMember(ctx: AppContext, userId: string, conversationId: string): Promise<string[]> {
  const members = (await memberIdsOf(ctx, userId, [conversationId])).get(conversationId) ?? [];
  if (!members.includes(userId)) throw conversationNotFound();
  return members;
}

/** The position a session's clip is at, at server time `t`. */
export function positionAt(s: repo.PlaybackState, t: number): number {
  return s.playing ? s.positionMs + Math.max(0, t - s.at) : s.positionMs;
}

export type WatchAction = { action: 'play' | 'pause' | 'seek' | 'video'; positionMs?: number; videoId?: string };

/**
 * The state after a control, at server time `now` (pure: the rules in one place). Every change
 * takes effect at `at` = now + `lead`, a shared instant every client can meet (until then the
 * previous state holds): a pause stops everyone on the same frame, a seek or a new clip starts
 * everyone together, however far each client is from the server.
 */
export function applyControl(s: repo.PlaybackState, c: WatchAction, now: number, lead = START_LEAD_MS): repo.PlaybackState {
  const at = now + lead;
  switch (c.action) {
    case 'play':
      return { videoId: s.videoId, playing: true, positionMs: c.positionMs ?? positionAt(s, at), at };
    case 'pause':
      return { videoId: s.videoId, playing: false, positionMs: c.positionMs ?? positionAt(s, at), at };
    case 'seek':
      return { videoId: s.videoId, playing: s.playing, positionMs: c.positionMs ?? positionAt(s, at), at };
    case 'video':
      return { videoId: c.videoId ?? s.videoId, playing: s.playing, positionMs: c.positionMs ?? 0, at };
  }
}

async function requireWatchableVideo(ctx: AppContext, userId: string, videoId: string) {
  const v = await loadVisibleVideo(ctx, userId, videoId);
  if (v.status !== 'ready') throw new AppError('video_not_ready', 409, 'videoId: the clip is still processing', { field: 'videoId' });
}

/** The participants as API users: those with the view open who are still members. */
async function participantsOf(ctx: AppContext, conversationId: string, members: readonly string[]) {
  const ids = (await repo.participantIds(ctx.db, conversationId)).filter((id) => members.includes(id));
  const users = await getUserViews(ctx, ids);
  return ids.flatMap((id) => users.get(id) ?? []);
}

function toSession(row: repo.SessionRow, participants: WatchSession['participants']): WatchSession {
  return {
    id: row.id,
    conversationId: row.conversationId,
    videoId: row.videoId,
    playing: row.playing,
    positionMs: row.positionMs,
    at: row.at,
    rev: row.rev,
    startedBy: row.startedBy,
    participants,
  };
}

async function present(ctx: AppContext, row: repo.SessionRow, members: readonly string[]): Promise<WatchSession> {
  return toSession(row, await participantsOf(ctx, row.conversationId, members));
}

/** Sends the state to the sockets that joined the conversation's watch view (on any node), and announces starts and ends to every member. */
async function publishState(ctx: AppContext, conversationId: string, session: WatchSession | null, members: string[], announce: boolean) {
  const frame: PublishedWatchState = { type: 'watch.state', conversationId, session, memberIds: members };
  try {
    await ctx.pubsub.publish(watchChannel(conversationId), frame);
    // Members who have the chat open but not the watch view learn that a session started or ended.
    if (announce && members.length) await ctx.pubsub.publishMany(members.map((id) => `user:${id}`), { type: 'watch.state', conversationId, session });
  } catch (err) {
    // Best effort: the database holds the state, and clients re-read it (GET) when they rejoin.
    ctx.log.warn({ err: (err as Error).message, conversationId }, 'watch state publish failed');
  }
}

export async function getSession(ctx: AppContext, userId: string, conversationId: string): Promise<{ session: WatchSession }> {
  const members = await requireWatchMember(ctx, userId, conversationId);
  const row = await repo.findSession(ctx.db, conversationId);
  if (!row) throw sessionNotFound();
  return { session: await present(ctx, row, members) };
}

/**
 * Starts a session with a clip the caller may see. One per conversation: while a session has
 * participants a second start is a 409 (`watch_session_exists`; switch the clip with a `video`
 * control instead); a session nobody has open any more is replaced.
 */
export async function startSession(ctx: AppContext, userId: string, conversationId: string, videoId: string): Promise<{ session: WatchSession }> {
  const members = await requireWatchMember(ctx, userId, conversationId);
  await requireWatchableVideo(ctx, userId, videoId);
  const now = Date.now();
  const row = await inTransaction(ctx.db, async (tx) => {
    const existing = await repo.findSession(tx, conversationId, { lock: true });
    if (existing) {
      const watching = (await repo.participantIds(tx, conversationId)).filter((id) => members.includes(id));
      if (watching.length > 0) throw new AppError('watch_session_exists', 409, 'Someone is already watching in this conversation: join it, or switch its clip');
      await repo.deleteSession(tx, conversationId);
    }
    const made = await repo.insertSession(tx, conversationId, userId, { videoId, playing: false, positionMs: 0, at: now });
    if (!made) throw new AppError('watch_session_exists', 409, 'Someone is already watching in this conversation: join it, or switch its clip');
    // The starter is watching (their socket's watch.join, if any, changes nothing more).
    await repo.addParticipant(tx, conversationId, userId);
    return made;
  });
  const session = await present(ctx, row, members);
  await publishState(ctx, conversationId, session, members, true);
  return { session };
}

export async function endSession(ctx: AppContext, userId: string, conversationId: string): Promise<void> {
  const members = await requireWatchMember(ctx, userId, conversationId);
  const gone = await repo.deleteSession(ctx.db, conversationId);
  if (!gone) throw sessionNotFound();
  await publishState(ctx, conversationId, null, members, true);
}

/** A `watch.control` frame: the new state for everyone who joined. */
export async function controlSession(ctx: AppContext, userId: string, conversationId: string, c: WatchAction): Promise<WatchSession> {
  const members = await requireWatchMember(ctx, userId, conversationId);
  if (c.action === 'video' && c.videoId) await requireWatchableVideo(ctx, userId, c.videoId);
  // Everything but the write itself is read first: once `at` is set the clock runs, and only
  // the update stands between it and the publish.
  const participants = await participantsOf(ctx, conversationId, members);
  for (let attempt = 0; attempt < CONTROL_ATTEMPTS; attempt++) {
    const before = await repo.findSession(ctx.db, conversationId);
    if (!before) throw sessionNotFound();
    const after = await repo.updateState(ctx.db, before, applyControl(before, c, Date.now()));
    if (!after) continue; // changed meanwhile: apply to the newer state
    const session = toSession(after, participants);
    await publishState(ctx, conversationId, session, members, false);
    return session;
  }
  throw new AppError('watch_busy', 409, 'The session changed too often at once; try again');
}

/** Someone opened or closed the watch view: the participants changed, so everyone gets the state again. */
export async function setWatching(ctx: AppContext, userId: string, conversationId: string, watching: boolean, members?: string[]): Promise<WatchSession | null> {
  const current = members ?? (await requireWatchMember(ctx, userId, conversationId).catch(() => null));
  const changed = watching ? await repo.addParticipant(ctx.db, conversationId, userId) : await repo.removeParticipant(ctx.db, conversationId, userId);
  if (!current) return null;
  const row = changed ? await repo.touchSession(ctx.db, conversationId) : await repo.findSession(ctx.db, conversationId);
  if (!row) return null;
  const session = await present(ctx, row, current);
  if (changed) await publishState(ctx, conversationId, session, current, false);
  return session;
}
