import type { LiveChatMessage } from '@loop/contracts';

/** A line of a live's chat as the room shows it: this person's own is `pending` until the server acknowledges it. */
export interface RoomMessage extends LiveChatMessage {
  pending?: boolean;
}

/** Lines a room keeps (the latest). */
export const CHAT_KEEP = 80;

const isChatId = (id: string) => /^\d+$/.test(id);

/**
 * The chat after a join's snapshot: the snapshot's lines, then any line already here that is newer
 * than its newest (a snapshot shared by the viewers who join within a second can be older than a
 * `live.chat` frame that reached this socket first), then this person's lines still on their way.
 */
export function mergeSnapshot(current: readonly RoomMessage[], recent: readonly LiveChatMessage[]): RoomMessage[] {
  const newest = recent.at(-1)?.id;
  const there = new Set(recent.map((x) => x.id));
  const later = current.filter((x) => !x.pending && !there.has(x.id) && isChatId(x.id) && (newest === undefined || !isChatId(newest) || BigInt(x.id) > BigInt(newest)));
  return [...recent, ...later, ...current.filter((x) => x.pending)].slice(-CHAT_KEEP);
}

