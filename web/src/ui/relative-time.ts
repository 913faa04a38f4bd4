export const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** "now", "5 m", "3 h", "yesterday", "4 d", "12 Mar", "12 Mar 2024" (UI.md: times are relative). */
export function formatRelative(at: Date, now: Date = new Date()): string {
  const diff = now.getTime() - at.getTime();
  if (diff < MINUTE) return 'now';
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)} m`;
  const days = Math.round((startOfDay(now) - startOfDay(at)) / DAY);
  if (days === 0) return `${Math.floor(diff / HOUR)} h`;
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} d`;
  const sameYear = at.getFullYear() === now.getFullYear();
  return at.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: sameYear ? undefined : 'numeric' });
}
