import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** E.164 form of a phone number, read with `region` when it has no country code; null if invalid. */
export function normalisePhone(raw: string, region: string): string | null {
  const parsed = parsePhoneNumberFromString(raw, region as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

/** Emails compare case-insensitively and without surrounding space. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Whole years between a YYYY-MM-DD birthdate and `now`. */
export function ageOn(birthdate: string, now: Date = new Date()): number {
  const [y, m, d] = birthdate.split('-').map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age -= 1;
  return age;
}
