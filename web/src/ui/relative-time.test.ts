import { describe, expect, it } from 'vitest';
import { formatRelative } from './relative-time.ts';

const now = new Date(2026, 10, 25, 15, 30, 0);
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('formatRelative', () => {
  it('says "now" under a minute, then minutes and hours today', () => {
    expect(formatRelative(ago(59_000), now)).toBe('now');
    expect(formatRelative(ago(5 * 60_000), now)).toBe('5 m');
    expect(formatRelative(ago(3 * 3600_000), now)).toBe('3 h');
  });

  it('says "yesterday" by calendar day, not by 24 hours', () => {
    // 16 hours ago is 23:30 yesterday.
    expect(formatRelative(ago(16 * 3600_000), now)).toBe('yesterday');
    expect(formatRelative(new Date(2026, 10, 24, 0, 1), now)).toBe('yesterday');
  });

  it('counts days within a week, then shows the date (with the year only when it differs)', () => {
    expect(formatRelative(new Date(2026, 10, 21, 12, 0), now)).toBe('4 d');
    const sameYear = formatRelative(new Date(2026, 2, 12, 12, 0), now);
    expect(sameYear).toMatch(/12/);
    expect(sameYear).not.toMatch(/2026/);
    expect(formatRelative(new Date(2024, 2, 12, 12, 0), now)).toMatch(/2024/);
  });
});
