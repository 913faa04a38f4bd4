import type { AppContext } from '../../app/context.ts';
import { affinitiesOf, signalWeight } from './signal-weights.ts';
import * as repo from './signals.repo.ts';

/** Events of a person For You reads per page: enough for fold-in and affinities, cheap by index. */
export const RECENT_SIGNALS = 200;

/** A person's recent signals (newest first) and their author/topic affinities. */
export async function personSignals(ctx: AppContext, userId: string) {
  const rows = await repo.recentSignals(ctx.db, userId, RECENT_SIGNALS);
  const events = rows.map((r) => ({
    videoId: r.video_id,
    type: r.type,
    watchedMs: r.watched_ms,
    durationMs: r.duration_ms,
    authorId: r.author_id,
    caption: r.caption,
    at: new Date(r.at).getTime() / 1000,
  }));
  return { events, affinities: affinitiesOf(events) };
}

export type PersonSignals = Awaited<ReturnType<typeof personSignals>>;

/** The per-pair interactions (positive weight only) the recommender trains on. */
export async function trainingInteractions(ctx: AppContext, q: { days: number; limit: number }) {
  const rows = await repo.trainingSignals(ctx.db, q);
  const pairs = new Map<string, { user: string; item: string; weight: number; time: number }>();
  for (const r of rows) {
    const key = `${r.user_id}:${r.video_id}`;
    const p = pairs.get(key) ?? { user: r.user_id, item: r.video_id, weight: 0, time: 0 };
    p.weight += signalWeight({ type: r.type, watchedMs: r.watched_ms, durationMs: r.duration_ms });
    p.time = Math.max(p.time, new Date(r.at).getTime() / 1000);
    pairs.set(key, p);
  }
  return [...pairs.values()].filter((p) => p.weight > 0);
}

/**
 * Brings the per-clip counters up to date in batches, up to event `upToId` when given;
 * returns how many events were folded in.
 */
export async function aggregateSignalCounters(ctx: AppContext, batch = 5000, maxBatches = 20, upToId?: string): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await repo.aggregateSignals(ctx.db, batch, upToId);
    total += n;
    if (n < batch) break;
  }
  return total;
}

const ceilings = new WeakMap<AppContext, string>();

/**
 * The worker's fold. Event ids come from a sequence, so two concurrent inserts can commit out of
 * id order: folding everything visible could move the watermark past ids whose insert has not
 * committed yet, and those events would never be counted. So each run folds only up to the
 * highest id the *previous* run saw (handed out at least one period ago; an insert is one short
 * statement, long committed by then), and remembers today's highest for the next run. Counts
 * lag by one to two periods. Tests fold everything with `aggregateSignalCounters` directly.
 */
export async function foldSettledSignals(ctx: AppContext): Promise<number> {
  const ceiling = ceilings.get(ctx);
  ceilings.set(ctx, await repo.maxEventId(ctx.db));
  return ceiling ? aggregateSignalCounters(ctx, 5000, 20, ceiling) : 0;
}
