// Made once, on first use: building an Intl formatter is costly (`toLocaleString()` builds one per
// call), and Home formats four counts per clip while it boots.
let plain: Intl.NumberFormat | null = null;
let compact: Intl.NumberFormat | null = null;

/** 1234 → "1.2K": counts on profiles. */
export function formatCount(n: number): string {
  if (n < 10_000) {
    plain ??= new Intl.NumberFormat();
    return plain.format(n);
  }
  compact ??= new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
  return compact.format(n);
}
