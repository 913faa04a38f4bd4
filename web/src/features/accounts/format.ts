const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** 1234 → "1.2K": counts on profiles. */
export function formatCount(n: number): string {
  return n < 10_000 ? n.toLocaleString() : compact.format(n);
}
