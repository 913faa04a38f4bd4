import type { Notification, NotificationKind, User } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { getUserViews } from '../accounts/index.ts';
import { visiblePosters } from '../media/index.ts';
import type { NotificationRow } from './notifications.repo.ts';

/** People shown on a row (its avatars, and the names in its sentence). */
const SHOWN_ACTORS = 3;

/** "maya", "maya and 1 other", "maya and 3 others". */
function who(actor: User | null, count: number): string {
  const name = actor?.displayName || actor?.username || 'Someone';
  const others = count - 1;
  if (others <= 0) return name;
  return `${name} and ${others} ${others === 1 ? 'other' : 'others'}`;
}

/** The sentence of a row, in words people use. */
export function sentence(kind: NotificationKind, actor: User | null, count: number, excerpt: string | null): string {
  const w = who(actor, count);
  switch (kind) {
    case 'follow':
      return `${w} started following you`;
    case 'friend':
      return `${w} followed you back. You're now friends`;
    case 'follow_request':
      return `${w} asked to follow you`;
    case 'like':
      return `${w} liked your clip`;
    case 'comment':
      return `${w} commented: ${excerpt ?? ''}`;
    case 'mention':
      return excerpt !== null ? `${w} mentioned you in a comment: ${excerpt}` : `${w} mentioned you in a clip`;
    case 'share':
      return `${w} sent you a clip`;
    case 'message_request':
      return `${w} wants to send you a message`;
    case 'live_started':
      return `${w} is LIVE`;
    case 'story_reply':
      return excerpt ? `${w} replied to your story: ${excerpt}` : `${w} replied to your story`;
    case 'order_update':
      return excerpt ?? 'Your order was updated';
  }
}

function urlOf(row: NotificationRow, actor: User | null): string {
  if (row.subject_type === 'video' && row.subject_id) return `/video/${row.subject_id}`;
  if (row.subject_type === 'conversation' && row.subject_id) return `/inbox/${row.subject_id}`;
  if (row.subject_type === 'order' && row.subject_id) return `/orders/${row.subject_id}`;
  if (row.subject_type === 'live' && row.subject_id) return `/live/${row.subject_id}`;
  if (row.kind === 'follow_request') return '/friends';
  if (actor) return `/u/${actor.username}`;
  return '/inbox';
}

/**
 * Turns rows into API notifications as `viewerId` (their recipient) sees them. Rows about a clip
 * the viewer may no longer see (deleted, made private) are left out, and so are people the
 * viewer can no longer see (`hiddenActorIds`: a block either way).
 */
export async function presentNotifications(ctx: AppContext, viewerId: string, rows: readonly NotificationRow[], hiddenActorIds: readonly string[] = []): Promise<Notification[]> {
  const hidden = new Set(hiddenActorIds);
  const shownActors = (r: NotificationRow) => r.actor_ids.filter((id) => !hidden.has(id)).slice(0, SHOWN_ACTORS);
  const [users, posters] = await Promise.all([
    getUserViews(ctx, [...new Set(rows.flatMap(shownActors))]),
    visiblePosters(
      ctx,
      viewerId,
      rows.flatMap((r) => (r.subject_type === 'video' && r.subject_id ? [r.subject_id] : [])),
    ),
  ]);
  return rows.flatMap((r): Notification[] => {
    if (r.subject_type === 'video' && r.subject_id && !posters.has(r.subject_id)) return [];
    const actors = shownActors(r).flatMap((id) => users.get(id) ?? []);
    const actor = actors[0] ?? null;
    if (r.actor_ids.length > 0 && !actor) return [];
    const kind = r.kind as NotificationKind;
    const count = r.actor_count - r.actor_ids.filter((id) => hidden.has(id)).length;
    return [
      {
        id: r.id,
        kind,
        actor,
        actors,
        actorCount: Math.max(count, actors.length),
        subject: r.subject_type && r.subject_id ? { type: r.subject_type as NonNullable<Notification['subject']>['type'], id: r.subject_id } : null,
        text: sentence(kind, actor, count, r.excerpt),
        // An order row's words are the sentence itself, not someone's words it quotes.
        excerpt: kind === 'order_update' ? null : r.excerpt,
        thumbnailUrl: r.subject_type === 'video' && r.subject_id ? (posters.get(r.subject_id) ?? null) : null,
        url: urlOf(r, actor),
        createdAt: new Date(r.updated_at).toISOString(),
        readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
      },
    ];
  });
}
