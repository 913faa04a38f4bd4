/**
 * A price for people: minor units in the currency's own number of decimals (JPY has none),
 * written the reader's way ("€15.00" in English, "15,00 €" in French).
 */
export function formatPrice(minor: number, currency: string, locale?: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${minor} ${currency}`;
  }
}

/** Reads "15", "15.5" or "15,50" as minor units for a currency (null when it is not a price). */
export function parsePrice(text: string, currency: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d{1,10}(\.\d{0,3})?$/.test(t)) return null;
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return null;
  }
  const [whole = '0', frac = ''] = t.split('.');
  if (frac.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, '0') || 0);
}
