import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
const ARGON2_OPTIONS = { algorithm: 2 /* Algorithm.Argon2id (a const enum) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against this when the username does not exist takes as long as a real check,
// so response time does not reveal which usernames exist.
let decoyHash: Promise<string> | null = null;
export async function burnPasswordCheck(password: string): Promise<void> {
  decoyHash ??= hashPassword('decoy-password-that-matches-nothing');
  await verifyPassword(await decoyHash, password);
}

// ~50k most common passwords (zxcvbn's list, from real breaches); only those long enough to
// pass the length rule matter.
const COMMON = new Set((dictionary['passwords-common'] as string[]).filter((p) => p.length >= 8));

/** True for passwords on the common-password list, compared case-insensitively. */
export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase());
}
