import type { ChangePasswordBody, Me, Profile, Settings, SignupBody, User } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError, notFound, rateLimited } from '../../app/errors.ts';
import { hashToken, newToken } from '../../platform/crypto/secret-box.ts';
import { decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { type Executor, inTransaction, type Tx } from '../../platform/db/tx.ts';
import * as repo from './accounts.repo.ts';
import { processAvatar } from './avatars.ts';
import { ageOn, normaliseEmail, normalisePhone } from './identifiers.ts';
import { burnPasswordCheck, hashPassword, isCommonPassword, verifyPassword } from './passwords.ts';
import { revokeCachedSession, sessionCache, sessionKey } from './session-cache.ts';
import { toUserView } from './user-view.ts';
import { userRulesChanged } from './user-rules.ts';

export const MIN_AGE = 13;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function settingsOf(row: repo.UserRow): Settings {
  return {
    privateAccount: row.private_account,
    dmPolicy: row.dm_policy,
    discoverableByContacts: row.discoverable_by_contacts,
    friendsFirst: Number(row.friends_first),
    region: row.region,
  };
}

/** Keyed hashes for a person's own email and phone, as stored on their account and matched by contact sync. */
export function identifierHash(ctx: AppContext, kind: 'email' | 'phone', normalised: string): Buffer {
  return ctx.secrets.keyedHash(`contact-${kind}`, normalised);
}

async function startSession(ctx: AppContext, userId: string, userAgent: string | undefined) {
  const token = newToken();
  await repo.insertSession(ctx.db, {
    token_hash: hashToken(token),
    user_id: userId,
    expires_at: new Date(Date.now() + ctx.config.sessionTtlMs),
    user_agent: userAgent?.slice(0, 300) ?? null,
  });
  return token;
}

/** The password rules of sign-up and of a password change (length and characters are the contract's). */
function assertStrongPassword(username: string, password: string, field: string) {
  if (isCommonPassword(password)) {
    throw new AppError('weak_password', 400, `${field}: is too common; choose one that is harder to guess`, { field });
  }
  if (password.toLowerCase().includes(username.toLowerCase())) {
    throw new AppError('weak_password', 400, `${field}: must not contain the username`, { field });
  }
}

const identifierTakenError = (kind: 'email' | 'phone') =>
  new AppError(`${kind}_taken`, 409, `${kind}: already belongs to an account`, { field: kind });

/** A unique index refused the row (two requests raced for one name or address): the 409 for what was taken. */
function takenError(err: unknown): AppError | null {
  const e = err as { code?: string; constraint?: string };
  if (e?.code !== '23505') return null;
  if (e.constraint?.includes('email')) return identifierTakenError('email');
  if (e.constraint?.includes('phone')) return identifierTakenError('phone');
  return new AppError('username_taken', 409, 'username: is already taken', { field: 'username' });
}

/** Creates an account and signs it in. */
export async function signup(ctx: AppContext, body: SignupBody, client: { ip: string; userAgent?: string }) {
  const limit = await ctx.rateLimiter.hit(`signup-ip:${client.ip}`, ctx.config.rateLimits.signupPerIp, HOUR);
  if (!limit.allowed) throw rateLimited(limit.retryAfterSec);

  assertStrongPassword(body.username, body.password, 'password');
  if (body.birthdate && ageOn(body.birthdate) < MIN_AGE) {
    throw new AppError('too_young', 400, `birthdate: you must be at least ${MIN_AGE} to use Loop`, { field: 'birthdate' });
  }
  let phone: string | null = null;
  if (body.phone) {
    phone = normalisePhone(body.phone, 'US');
    if (!phone) throw new AppError('invalid_input', 400, 'phone: is not a valid phone number (use +country code)', { field: 'phone' });
  }
  const email = body.email ? normaliseEmail(body.email) : null;

  if (await repo.usernameTaken(ctx.db, body.username)) {
    throw new AppError('username_taken', 409, 'username: is already taken', { field: 'username' });
  }
  const emailHash = email ? identifierHash(ctx, 'email', email) : null;
  const phoneHash = phone ? identifierHash(ctx, 'phone', phone) : null;
  if (emailHash && (await repo.identifierTaken(ctx.db, 'email_hash', emailHash))) throw identifierTakenError('email');
  if (phoneHash && (await repo.identifierTaken(ctx.db, 'phone_hash', phoneHash))) throw identifierTakenError('phone');

  const passwordHash = await hashPassword(body.password);
  let user: repo.UserRow;
  try {
    user = await inTransaction(ctx.db, async (tx) => {
      const created = await repo.insertUser(tx, {
        username: body.username,
        display_name: body.displayName ?? body.username,
        password_hash: passwordHash,
        birthdate: body.birthdate ?? null,
        email_hash: emailHash,
        email_enc: email ? ctx.secrets.seal(email) : null,
        phone_hash: phoneHash,
        phone_enc: phone ? ctx.secrets.seal(phone) : null,
      });
      for (const hook of ctx.modules.identifierHooks) await hook(ctx, tx, { userId: created.id, emailHash, phoneHash });
      return created;
    });
  } catch (err) {
    // Two signups racing for one username or address: the unique index decides, the loser gets 409.
    throw takenError(err) ?? err;
  }
  const token = await startSession(ctx, user.id, client.userAgent);
  return { user: toUserView(user), token };
}

/**
 * What another module does, inside the same transaction, when an account gets an email or a
 * phone: at sign-up, or added later in settings (contact matching does). Modules provide these
 * as `identifierHooks` (app/wiring.ts).
 */
export type IdentifierHook = (
  ctx: AppContext,
  tx: Tx,
  added: { userId: string; emailHash: Buffer | null; phoneHash: Buffer | null },
) => Promise<void>;

/**
 * Checks a password within the account's failure budget (RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT
 * a minute). The budget is claimed before the check, in one atomic step (an INCR, in Redis when
 * there are several nodes), so concurrent guesses cannot all pass a look taken before any of
 * them failed; a right password gives its claim back. Once the budget is spent, even the right
 * password is refused (429) until the window ends. `user` is undefined for an unknown username,
 * which costs the same argon2 time.
 */
async function checkPasswordWithinBudget(ctx: AppContext, username: string, user: repo.UserRow | undefined, password: string): Promise<boolean> {
  const failKey = `login-fail:${username.toLowerCase()}`;
  const claim = await ctx.rateLimiter.hit(failKey, ctx.config.rateLimits.loginFailuresPerAccount, MINUTE);
  if (!claim.allowed) throw rateLimited(claim.retryAfterSec);
  let ok = false;
  if (user) ok = await verifyPassword(user.password_hash, password);
  else await burnPasswordCheck(password);
  if (ok) await ctx.rateLimiter.release(failKey);
  return ok;
}

/** Checks a username and password; rate-limited per IP and per account. */
export async function login(ctx: AppContext, body: { username: string; password: string }, client: { ip: string; userAgent?: string }) {
  const perIp = await ctx.rateLimiter.hit(`login-ip:${client.ip}`, ctx.config.rateLimits.loginPerIp, MINUTE);
  if (!perIp.allowed) throw rateLimited(perIp.retryAfterSec);
  const user = await repo.findUserByUsername(ctx.db, body.username);
  if (!user || !(await checkPasswordWithinBudget(ctx, body.username, user, body.password))) {
    // The same answer whether or not the username exists.
    throw new AppError('invalid_credentials', 401, 'Wrong username or password');
  }
  const token = await startSession(ctx, user.id, client.userAgent);
  return { user: toUserView(user), token };
}

export async function logout(ctx: AppContext, tokenHash: Buffer) {
  await repo.deleteSession(ctx.db, tokenHash);
  await revokeCachedSession(ctx, tokenHash);
}

/**
 * POST /me/password. A wrong current password counts against the same failure budget as a
 * wrong login (else this would be a way around it). Every other session of the account ends:
 * its rows go, every node forgets it and closes its sockets (4001); the calling session stays.
 */
export async function changePassword(ctx: AppContext, session: { userId: string; tokenHash: Buffer }, body: ChangePasswordBody) {
  const user = await requireUserRow(ctx, session.userId);
  assertStrongPassword(user.username, body.newPassword, 'newPassword');
  if (body.newPassword === body.currentPassword) {
    throw new AppError('same_password', 400, 'newPassword: must differ from the current password', { field: 'newPassword' });
  }
  if (!(await checkPasswordWithinBudget(ctx, user.username, user, body.currentPassword))) {
    throw new AppError('wrong_password', 403, 'currentPassword: is not the password of this account', { field: 'currentPassword' });
  }
  const passwordHash = await hashPassword(body.newPassword);
  const ended = await inTransaction(ctx.db, async (tx) => {
    await repo.setPasswordHash(tx, user.id, passwordHash);
    return repo.deleteOtherSessions(tx, user.id, session.tokenHash);
  });
  await Promise.all(ended.map((tokenHash) => revokeCachedSession(ctx, tokenHash)));
}

/**
 * PUT|DELETE /me/email and /me/phone: adds, changes or removes the address contact discovery
 * matches, stored exactly as at sign-up (a keyed hash to match, a sealed copy for the owner).
 * Whoever uploaded it before now finds this person (the identifier hooks run).
 */
export async function setIdentifier(ctx: AppContext, userId: string, kind: 'email' | 'phone', raw: string | null): Promise<Me> {
  const row = await requireUserRow(ctx, userId);
  let value: string | null = null;
  if (raw !== null) {
    value = kind === 'email' ? normaliseEmail(raw) : normalisePhone(raw, row.region);
    if (!value) throw new AppError('invalid_input', 400, 'phone: is not a valid phone number (use +country code)', { field: 'phone' });
  }
  const hash = value ? identifierHash(ctx, kind, value) : null;
  try {
    await inTransaction(ctx.db, async (tx) => {
      await repo.setIdentifier(tx, userId, kind, hash, value ? ctx.secrets.seal(value) : null);
      const added = { userId, emailHash: kind === 'email' ? hash : null, phoneHash: kind === 'phone' ? hash : null };
      if (hash) for (const hook of ctx.modules.identifierHooks) await hook(ctx, tx, added);
    });
  } catch (err) {
    throw takenError(err) ?? err;
  }
  return getMe(ctx, userId);
}

const TOUCH_EVERY_MS = 10 * MINUTE;

/** The user id behind a session token, or null. Cached briefly; touches the session at most every 10 minutes. */
export async function authenticate(ctx: AppContext, token: string): Promise<{ userId: string; tokenHash: Buffer } | null> {
  if (token.length < 20 || token.length > 100) return null;
  const tokenHash = hashToken(token);
  const key = tokenHash.toString('base64url');
  const cache = sessionCache(ctx);
  const cached = cache.get(key);
  if (cached) return { userId: cached, tokenHash };
  const session = await repo.findLiveSession(ctx.db, tokenHash);
  if (!session) return null;
  if (Date.now() - session.last_used_at.getTime() > TOUCH_EVERY_MS) await repo.touchSession(ctx.db, tokenHash);
  cache.set(key, String(session.user_id), session.expires_at);
  return { userId: String(session.user_id), tokenHash };
}

/** The sessions, by `sessionKey`, that are still live among these (the gateway's periodic re-check of open sockets). */
export async function liveSessionKeys(ctx: AppContext, tokenHashes: readonly Buffer[]): Promise<Set<string>> {
  const live = new Set<string>();
  for (let i = 0; i < tokenHashes.length; i += 1000) {
    for (const h of await repo.findLiveSessionHashes(ctx.db, tokenHashes.slice(i, i + 1000))) live.add(sessionKey(h));
  }
  return live;
}

/** The worker's housekeeping: expired sessions are refused already; this removes their rows. */
export async function deleteExpiredSessions(ctx: AppContext): Promise<number> {
  return repo.deleteExpiredSessions(ctx.db);
}

async function requireUserRow(ctx: AppContext, userId: string) {
  const row = await repo.findUserById(ctx.db, userId);
  if (!row) throw new AppError('unauthorized', 401, 'Sign in to continue');
  return row;
}

export async function getMe(ctx: AppContext, userId: string): Promise<Me> {
  const row = await requireUserRow(ctx, userId);
  return {
    user: toUserView(row),
    settings: settingsOf(row),
    age: row.birthdate ? ageOn(row.birthdate) : null,
    email: row.email_enc ? ctx.secrets.open(Buffer.from(row.email_enc)) : null,
    phone: row.phone_enc ? ctx.secrets.open(Buffer.from(row.phone_enc)) : null,
  };
}

export type MessagingPrefs = { age: number | null; dmPolicy: Settings['dmPolicy'] };

/** What messaging needs to know about people: their age and "who may message me". Absent ids do not exist. */
export async function getMessagingPrefs(ctx: AppContext, userIds: readonly string[]): Promise<Map<string, MessagingPrefs>> {
  const rows = await repo.findMessagingPrefs(ctx.db, [...new Set(userIds)]);
  return new Map(rows.map((r) => [String(r.id), { age: r.birthdate ? ageOn(r.birthdate) : null, dmPolicy: r.dm_policy }]));
}

export async function updateProfile(ctx: AppContext, userId: string, patch: { displayName?: string; bio?: string }) {
  const row = await repo.updateUser(ctx.db, userId, {
    ...(patch.displayName !== undefined && { display_name: patch.displayName }),
    ...(patch.bio !== undefined && { bio: patch.bio }),
  });
  return { user: toUserView(row) };
}

/** Another module following the private-account setting inside the transaction that changes it (media mirrors it on clips); provided as `privacyHooks`. */
export type PrivacyHook = (tx: Tx, userId: string, isPrivate: boolean) => Promise<void>;

/**
 * The private-account setting as it stands, read inside the caller's transaction and held
 * (FOR SHARE) until it ends, so a concurrent change waits and its hooks see what was written.
 */
export const isPrivateAccountLocked = (tx: Executor, userId: string) => repo.privateAccountForShare(tx, userId);

export async function updateSettings(ctx: AppContext, userId: string, patch: Partial<Settings>) {
  const row = await inTransaction(ctx.db, async (tx) => {
    const updated = await repo.updateUser(tx, userId, {
      ...(patch.privateAccount !== undefined && { private_account: patch.privateAccount }),
      ...(patch.dmPolicy !== undefined && { dm_policy: patch.dmPolicy }),
      ...(patch.discoverableByContacts !== undefined && { discoverable_by_contacts: patch.discoverableByContacts }),
      ...(patch.friendsFirst !== undefined && { friends_first: patch.friendsFirst }),
      ...(patch.region !== undefined && { region: patch.region }),
    });
    if (patch.privateAccount !== undefined) for (const hook of ctx.modules.privacyHooks) await hook(tx, userId, updated.private_account);
    return updated;
  });
  if (patch.dmPolicy !== undefined) userRulesChanged(ctx, [userId]);
  return { user: toUserView(row), settings: settingsOf(row) };
}

/** Re-encodes and stores a new avatar, then removes the old file. */
export async function setAvatar(ctx: AppContext, userId: string, bytes: Buffer) {
  const image = await processAvatar(bytes);
  const before = await requireUserRow(ctx, userId);
  const key = `avatars/${userId}/${newToken().slice(0, 16)}.webp`;
  await ctx.storage.put(key, image, 'image/webp');
  const row = await repo.updateUser(ctx.db, userId, { avatar_key: key });
  if (before.avatar_key) await ctx.storage.delete(before.avatar_key).catch(() => {});
  return { user: toUserView(row) };
}

export async function removeAvatar(ctx: AppContext, userId: string) {
  const before = await requireUserRow(ctx, userId);
  const row = await repo.updateUser(ctx.db, userId, { avatar_key: null });
  if (before.avatar_key) await ctx.storage.delete(before.avatar_key).catch(() => {});
  return { user: toUserView(row) };
}

export async function findUserByUsername(ctx: AppContext, username: string) {
  return repo.findUserByUsername(ctx.db, username);
}

/** Whether the account exists, and whether it is private. */
export async function accountFlags(ctx: AppContext, userId: string): Promise<{ privateAccount: boolean } | null> {
  const row = await repo.findAccountFlags(ctx.db, userId);
  return row ? { privateAccount: row.private_account } : null;
}

/** True once anyone has signed up (the demo seed runs only on an empty database). */
export async function anyAccountExists(ctx: AppContext): Promise<boolean> {
  return repo.anyUserExists(ctx.db);
}

/**
 * Public views of the people whose own phone or email hash is among these and who allow being
 * found by contacts (contact sync), leaving out `exceptId`; ordered by id, at most `limit`.
 */
export async function discoverableByIdentifiers(
  db: Executor,
  hashes: { phones: readonly Buffer[]; emails: readonly Buffer[] },
  exceptId: string,
  limit = 10_000,
): Promise<User[]> {
  const rows = await repo.findDiscoverableByIdentifiers(db, hashes, exceptId, limit);
  return rows.map(toUserView);
}

/** Which of these people allow being found by contacts. */
export async function discoverableIds(db: Executor, ids: readonly string[]): Promise<Set<string>> {
  return new Set(await repo.findDiscoverableIds(db, [...new Set(ids)]));
}

export async function getUserViews(ctx: AppContext, ids: readonly string[]): Promise<Map<string, User>> {
  const rows = await repo.findPublicUsersByIds(ctx.db, ids);
  return new Map(rows.map((r) => [String(r.id), toUserView(r)]));
}

/**
 * What the social graph adds to accounts: profile counts, the viewer's relationship, and
 * who is hidden from whom (blocks). Accounts needs one (`graphLens`, app/wiring.ts): without
 * it the server does not start, so nobody is ever shown to someone who blocked them.
 */
export interface GraphLens {
  /** Counts and relationship for a profile, or null when the viewer must not see it (404). */
  profileExtras(ctx: AppContext, viewerId: string | null, user: repo.UserRow): Promise<Omit<Profile, 'user' | 'privateAccount'> | null>;
  /** Users the viewer must never see in lists or search. */
  hiddenUserIds(ctx: AppContext, viewerId: string): Promise<string[]>;
}
export async function hiddenUserIds(ctx: AppContext, viewerId: string | null): Promise<string[]> {
  return viewerId ? ctx.modules.graphLens.hiddenUserIds(ctx, viewerId) : [];
}

export async function getProfile(ctx: AppContext, viewerId: string | null, username: string): Promise<Profile> {
  const row = await repo.findUserByUsername(ctx.db, username);
  if (!row) throw notFound('user');
  const extras = await ctx.modules.graphLens.profileExtras(ctx, viewerId, row);
  if (extras === null) throw notFound('user');
  return { user: toUserView(row), ...extras, privateAccount: row.private_account };
}

export async function searchUsers(
  ctx: AppContext,
  viewerId: string | null,
  q: string,
  page: { cursor?: string; limit: number },
  excludeIds: readonly string[] = [],
) {
  const scope = { list: `user-search:${q}`, viewer: viewerId };
  const after = decodeCursor(scope, page.cursor, 3);
  const rows = await repo.searchUsers(ctx.db, q, {
    limit: page.limit,
    after: after ? { rank: Number(after[0]), sim: Number(after[1]), id: String(after[2]) } : null,
    excludeIds,
  });
  return toPage(scope, rows, page.limit, toUserView, (r) => [r.rank, r.sim, String(r.id)]);
}

/** The person's friends-first dial (0–1) for For You. */
export async function friendsFirstOf(ctx: AppContext, userId: string): Promise<number> {
  const row = await repo.findUserById(ctx.db, userId);
  return row ? Number(row.friends_first) : 0;
}
