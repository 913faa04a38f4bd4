// Made once, on first use: building an Intl formatter is costly (`toLocaleString()` builds one per
// call), and Home formats four counts per clip while it boots. The first one loads the locale's
// data: about 60 ms of Home's first render at Lighthouse's 4× CPU slowdown (profiled), so the
// counts that need no formatting (below 1,000: no grouping) are written as they are.
let plain: Intl.NumberFormat | null = null;
let compact: Intl.NumberFormat | null = null;

/** 1234 → "1.2K": counts on profiles. */
export function formatCount(n: number): string {
  if (Number.isInteger(n) && n >= 0 && n < 1000) return String(n);
  if (n < 10_000) {
    plain ??= new Intl.NumberFormat();
    return plain.format(n);
  }
  compact ??= new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
  return compact.format(n);
}
