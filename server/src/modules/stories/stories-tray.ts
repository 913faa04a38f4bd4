import type { Story, User } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { getUserViews } from '../accounts/index.ts';
import * as graph from '../graph/index.ts';
import * as media from '../media/index.ts';
import * as messaging from '../messaging/index.ts';
import { mayView, type Standing } from './stories.policy.ts';
import { playable, toStoryViews } from './stories.presenter.ts';
import * as repo from './stories.repo.ts';
import { videosOf } from './stories.service.ts';

/**
 * The stories tray (GET /stories/feed), skeleton → hydrate → rules → present:
 * candidates are the people the viewer follows and those who keep them as a close friend; their
 * live stories in one indexed query; the visibility rule per story; then people with something
 * unseen first, each group by closeness. Every read is one query for all candidates together, so
 * the number of round trips (three) does not grow with the number of friends.
 */

/** How far back closeness looks. */
const CLOSENESS_DAYS = 30;

export interface TrayEntry {
  user: User;
  stories: Story[];
  allSeen: boolean;
}

/**
 * Closeness of the viewer to people, from what modules already keep: how much the viewer writes
 * to them (messaging's decayed activity per direct conversation), how much the viewer watches and
 * likes their clips (media's author affinities), and how much the two watch and react to each
 * other's stories (here). A handful of indexed reads, run beside the tray's own.
 */
async function closenessOf(ctx: AppContext, viewerId: string): Promise<Map<string, number>> {
  const score = new Map<string, number>();
  const add = (id: string, w: number) => score.set(id, (score.get(id) ?? 0) + w);
  const talk = async () => {
    const chat = await messaging.recentChatActivity(ctx, viewerId, { days: CLOSENESS_DAYS, halfLifeDays: 7 });
    if (chat.size === 0) return;
    const talked = [...chat.keys()].slice(0, 100);
    // A conversation the viewer has since left makes memberIdsOf refuse the batch: then talk counts for nothing.
    const members = await messaging.memberIdsOf(ctx, viewerId, talked).catch(() => new Map<string, string[]>());
    for (const [cid, ids] of members) {
      const others = ids.filter((id) => id !== viewerId);
      if (others.length === 1) add(others[0]!, chat.get(cid)!.score);
    }
  };
  const [, signals, theirViews, myViews] = await Promise.all([
    talk(),
    media.personSignals(ctx, viewerId),
    repo.storyEngagementWith(ctx.db, viewerId, null, CLOSENESS_DAYS),
    repo.engagementByViewer(ctx.db, viewerId, CLOSENESS_DAYS),
  ]);
  for (const [author, w] of signals.affinities.authors) if (w > 0) add(author, w);
  for (const [id, n] of theirViews) add(id, 0.5 * n);
  for (const [id, n] of myViews) add(id, 0.5 * n);
  return score;
}

/**
 * Three rounds of reads, each run side by side: (1) whom the viewer follows, whose close friend
 * they are, blocks, and closeness; (2) those people's live stories; (3) which of them the viewer
 * has seen, the clips of video stories and the authors' views. The viewer's standing towards each
 * author comes from round 1 (following, friends, close lists, blocks), so no per-author check.
 */
export async function storyTray(ctx: AppContext, viewerId: string): Promise<{ items: TrayEntry[]; nextCursor: null }> {
  const [followees, closeLists, blocked, closeness] = await Promise.all([
    graph.followees(ctx, viewerId),
    repo.closeListsContaining(ctx.db, viewerId),
    graph.blockedEitherWayIds(ctx, viewerId),
    closenessOf(ctx, viewerId),
  ]);
  const hidden = new Set(blocked.map(String));
  const following = new Map(followees.map((f) => [f.id, f.friend]));
  const candidates = [...new Set([...following.keys(), ...closeLists])].filter((id) => id !== viewerId && !hidden.has(id));
  const live = await repo.liveStoriesOf(ctx.db, candidates);
  if (live.length === 0) return { items: [], nextCursor: null };

  const standing = (authorId: string): Standing => ({
    friends: following.get(authorId) === true,
    follows: following.has(authorId),
    blocked: hidden.has(authorId),
    closeFriend: closeLists.has(authorId),
  });
  const authorIds = [...new Set(live.map((r) => String(r.author_id)))];
  const [videos, seen, authors] = await Promise.all([
    videosOf(ctx, live),
    repo.seenAmong(
      ctx.db,
      viewerId,
      live.map((r) => String(r.id)),
    ),
    getUserViews(ctx, authorIds),
  ]);
  const now = Date.now();
  const visible = live.filter((r) => mayView(r, viewerId, standing(String(r.author_id)), playable(r, r.video_id ? videos.get(String(r.video_id)) : undefined), now));
  const views = await toStoryViews(ctx, viewerId, visible, { videos, seen, authors });

  const byAuthor = new Map<string, Story[]>();
  for (const s of views) {
    const list = byAuthor.get(s.author.id) ?? [];
    list.push(s);
    byAuthor.set(s.author.id, list);
  }
  const entries = [...byAuthor].map(([id, stories]) => ({
    user: stories[0]!.author,
    stories,
    allSeen: stories.every((s) => s.viewer.seen),
    closeness: closeness.get(id) ?? 0,
    latest: Date.parse(stories.at(-1)!.createdAt),
  }));
  // Unseen first; then the closest; then the most recent.
  entries.sort((a, b) => Number(a.allSeen) - Number(b.allSeen) || b.closeness - a.closeness || b.latest - a.latest);
  return { items: entries.map(({ user, stories, allSeen }) => ({ user, stories, allSeen })), nextCursor: null };
}
