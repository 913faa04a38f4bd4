import type { UploadContactsBody } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../app/errors.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import { discoverableByIdentifiers, getMe, type IdentifierHook, identifierHash, normaliseEmail, normalisePhone } from '../accounts/index.ts';
import * as repo from './contacts.repo.ts';
import { blockedEitherWayIdsOf } from './graph.repo.ts';
import { markSuggestionsDirty, setContactSignal } from './suggestions.service.ts';

/**
 * Contact sync. An address book is normalised (E.164 phones read with the uploader's region,
 * lowercased emails) and reduced to keyed hashes — the same HMAC accounts keep for each
 * user's own phone and email — so matching is an equality lookup and the database never
 * holds a contact as text. Hashes stay until the uploader deletes them.
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function secondsToUtcMidnight(now = new Date()): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

/** POST /me/contacts: stores the hashes and answers who among them is on Loop and discoverable. */
export async function uploadContacts(ctx: AppContext, userId: string, body: UploadContactsBody) {
  const { settings } = await getMe(ctx, userId);
  const unique = new Map<string, repo.HashedContact>();
  let invalid = 0;
  for (const c of body.contacts) {
    const normalised = c.kind === 'phone' ? normalisePhone(c.value, settings.region) : EMAIL.test(c.value.trim()) ? normaliseEmail(c.value) : null;
    if (!normalised) {
      invalid += 1;
      continue;
    }
    const hash = identifierHash(ctx, c.kind, normalised);
    unique.set(`${c.kind}:${hash.toString('hex')}`, { kind: c.kind, hash });
  }
  const hashed = [...unique.values()];

  const matches = await inTransaction(ctx.db, async (tx) => {
    const known = await repo.storedKeys(tx, userId, hashed);
    const fresh = hashed.filter((h) => !known.has(`${h.kind}:${h.hash.toString('hex')}`));
    // The budget counts identifiers never uploaded before, so re-syncing the same book is free
    // but probing many numbers is not; deleting contacts does not give the budget back.
    if (!(await repo.chargeDailyUsage(tx, userId, fresh.length, ctx.config.contactSyncDailyBudget))) {
      throw new AppError('contact_budget_exceeded', 429, `contacts: at most ${ctx.config.contactSyncDailyBudget} new contacts a day; try again tomorrow`, {
        field: 'contacts',
        retryAfterSec: secondsToUtcMidnight(),
      });
    }
    await repo.insertHashes(tx, userId, fresh);
    const hidden = new Set(await blockedEitherWayIdsOf(tx, userId));
    const byKind = (kind: 'phone' | 'email') => hashed.filter((c) => c.kind === kind).map((c) => c.hash);
    const found = (await discoverableByIdentifiers(tx, { phones: byKind('phone'), emails: byKind('email') }, userId)).filter((u) => !hidden.has(u.id));
    await setContactSignal(ctx, tx, userId, found.map((u) => u.id), true);
    await markSuggestionsDirty(tx, [userId]);
    return found;
  });
  return { matches, accepted: hashed.length, invalid };
}

/** DELETE /me/contacts: forgets every uploaded hash and the "In your contacts" signal. */
export async function deleteContacts(ctx: AppContext, userId: string) {
  await inTransaction(ctx.db, async (tx) => {
    await repo.deleteAllFor(tx, userId);
    await setContactSignal(ctx, tx, userId, [], false);
  });
}

/** Provided to accounts: a person whose phone or email someone uploaded (on joining, or added later) becomes that someone's suggestion. */
export const suggestToContactOwners: IdentifierHook = async (ctx, tx, joined) => {
  const owners = new Set<string>();
  if (joined.phoneHash) for (const o of await repo.ownersOf(tx, 'phone', joined.phoneHash)) owners.add(o);
  if (joined.emailHash) for (const o of await repo.ownersOf(tx, 'email', joined.emailHash)) owners.add(o);
  // New accounts are discoverable by contacts by default; they can turn it off later, and
  // suggestions re-check that flag whenever they are read.
  for (const owner of owners) await setContactSignal(ctx, tx, owner, [String(joined.userId)], true);
};
