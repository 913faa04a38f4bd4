/**
 * How a chat lays its messages out in time, as messengers do: a time line between messages
 * when the day changes or an hour has passed, and "Seen" under the last message each other
 * member has read (not under the last message). Pure functions, unit-tested.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Timed {
  createdAt: string;
}

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** Whether a time line goes between `prev` and `next` (always before the first message). */
export function needsTimeSeparator(prev: Timed | undefined, next: Timed): boolean {
  if (!prev) return true;
  const a = new Date(prev.createdAt);
  const b = new Date(next.createdAt);
  return b.getTime() - a.getTime() >= HOUR || startOfDay(a) !== startOfDay(b);
}

/** The time line's words: "14:05", "Yesterday 14:05", "Tuesday 14:05", "12 Mar, 14:05", "12 Mar 2024, 14:05". */
export function formatSeparator(at: Date, now: Date = new Date(), locale?: string): string {
  const time = at.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
  const days = Math.round((startOfDay(now) - startOfDay(at)) / DAY);
  if (days <= 0) return `Today ${time}`;
  if (days === 1) return `Yesterday ${time}`;
  if (days < 7) return `${at.toLocaleDateString(locale, { weekday: 'long' })} ${time}`;
  const sameYear = at.getFullYear() === now.getFullYear();
  return `${at.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: sameYear ? undefined : 'numeric' })}, ${time}`;
}

/** The exact moment, for a hover title or the actions of a tapped (long-pressed) message. */
export function formatExact(at: Date, locale?: string): string {
  return at.toLocaleString(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' });
}

interface Sent {
  seq: number;
  senderId: string;
}
interface Reader {
  id: string;
  readSeq: number | null;
}

/**
 * Where each other member's read mark shows: under the last message they have read that they
 * did not send themselves. Nothing when they have written since (their reply says they read
 * it), or while their mark is hidden (a request they have not accepted). `messages` in seq order.
 * Returns seq → the members whose mark sits under that message.
 */
export function seenMarkers<R extends Reader>(messages: readonly Sent[], others: readonly R[]): Map<number, R[]> {
  const out = new Map<number, R[]>();
  for (const member of others) {
    if (member.readSeq === null) continue;
    let mark: Sent | undefined;
    let wroteSince = false;
    for (const m of messages) {
      if (m.seq <= member.readSeq && m.senderId !== member.id) {
        mark = m;
        wroteSince = false;
      } else if (mark && m.senderId === member.id) wroteSince = true;
    }
    if (!mark || wroteSince) continue;
    out.set(mark.seq, [...(out.get(mark.seq) ?? []), member]);
  }
  return out;
}
