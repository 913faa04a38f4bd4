import type { StoryAudience, StoryRow } from './stories.repo.ts';

/**
 * Who may see a story: the one rule every read builds on (the story, its media, the tray, a
 * person's stories, the share card). The author always sees their own, expired ones too (the
 * archive). Anyone else: signed in, no block either way, the story live (not expired) and
 * playable, and in its audience: friends (mutual follows), close friends (on the author's
 * list), or followers (people who follow the author; on a private account only approved ones
 * follow). Everyone else gets the same 404 as for a story that never existed.
 */
export interface Standing {
  friends: boolean;
  /** The viewer follows the author. */
  follows: boolean;
  blocked: boolean;
  /** The viewer is on the author's close-friends list. */
  closeFriend: boolean;
}

export function inAudience(audience: StoryAudience, s: Standing): boolean {
  if (s.blocked) return false;
  switch (audience) {
    case 'friends':
      return s.friends;
    case 'close_friends':
      return s.closeFriend;
    case 'followers':
      return s.follows || s.friends;
  }
}

export const isExpired = (row: Pick<StoryRow, 'expires_at'>, now = Date.now()) => new Date(row.expires_at).getTime() <= now;

export function mayView(row: StoryRow, viewerId: string | null, standing: Standing | undefined, playable: boolean, now = Date.now()): boolean {
  if (viewerId !== null && String(row.author_id) === viewerId) return true;
  if (viewerId === null || !standing) return false;
  return playable && !isExpired(row, now) && inAudience(row.audience, standing);
}
