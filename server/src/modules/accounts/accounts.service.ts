import type { Profile, Settings, SignupBody, User } from '@loop/contracts';
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

/** Creates an account and signs it in. */
export async function signup(ctx: AppContext, body: SignupBody, client: { ip: string; userAgent?: string }) {
  const limit = await ctx.rateLimiter.hit(`signup-ip:${client.ip}`, ctx.config.rateLimits.signupPerIp, HOUR);
  if (!limit.allowed) throw rateLimited(limit.retryAfterSec);

  if (isCommonPassword(body.password)) {
    throw new AppError('weak_password', 400, 'password: is too common; choose one that is harder to guess', { field: 'password' });
  }
  if (body.password.toLowerCase().includes(body.username)) {
    throw new AppError('weak_password', 400, 'password: must not contain the username', { field: 'password' });
  }
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
  if (emailHash && (await repo.identifierTaken(ctx.db, 'email_hash', emailHash))) {
    throw new AppError('email_taken', 409, 'email: already belongs to an account', { field: 'email' });
  }
  if (phoneHash && (await repo.identifierTaken(ctx.db, 'phone_hash', phoneHash))) {
    throw new AppError('phone_taken', 409, 'phone: already belongs to an account', { field: 'phone' });
  }

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
      for (const hook of signupHooks) await hook(ctx, tx, { userId: created.id, emailHash, phoneHash });
      return created;
    });
  } catch (err) {
    // Two signups racing for one username: the unique index decides, the loser gets 409.
    if ((err as { code?: string }).code === '23505') {
      throw new AppError('username_taken', 409, 'username: is already taken', { field: 'username' });
    }
    throw err;
  }
  const token = await startSession(ctx, user.id, client.userAgent);
  return { user: toUserView(user), token };
}

type SignupHook = (
  ctx: AppContext,
  tx: Tx,
  joined: { userId: string; emailHash: Buffer | null; phoneHash: Buffer | null },
) => Promise<void>;
const signupHooks: SignupHook[] = [];
/** Lets another module react to a new account inside the signup transaction (contact matching does). */
export function onSignup(hook: SignupHook) {
  signupHooks.push(hook);
}

/** Checks a username and password; rate-limited per IP and per account. */
export async function login(ctx: AppContext, body: { username: string; password: string }, client: { ip: string; userAgent?: string }) {
  const limits = ctx.config.rateLimits;
  const perIp = await ctx.rateLimiter.hit(`login-ip:${client.ip}`, limits.loginPerIp, MINUTE);
  if (!perIp.allowed) throw rateLimited(perIp.retryAfterSec);
  const failKey = `login-fail:${body.username}`;
  const failures = await ctx.rateLimiter.peek(failKey, limits.loginFailuresPerAccount, MINUTE);
  if (!failures.allowed) throw rateLimited(failures.retryAfterSec);

  const user = await repo.findUserByUsername(ctx.db, body.username);
  let ok = false;
  if (user) ok = await verifyPassword(user.password_hash, body.password);
  else await burnPasswordCheck(body.password);
  if (!user || !ok) {
    await ctx.rateLimiter.hit(failKey, limits.loginFailuresPerAccount, MINUTE);
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

export async function getMe(ctx: AppContext, userId: string) {
  const row = await requireUserRow(ctx, userId);
  return { user: toUserView(row), settings: settingsOf(row), age: row.birthdate ? ageOn(row.birthdate) : null };
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

type PrivacyHook = (tx: Tx, userId: string, isPrivate: boolean) => Promise<void>;
const privacyHooks: PrivacyHook[] = [];
/** Lets another module follow the private-account setting inside the transaction that changes it (media mirrors it on clips). */
export function registerPrivacyHook(hook: PrivacyHook) {
  privacyHooks.push(hook);
}

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
      ...(patch.region !== undefined && { region: patch.region }),
    });
    if (patch.privateAccount !== undefined) for (const hook of privacyHooks) await hook(tx, userId, updated.private_account);
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

export async function getUserViews(ctx: AppContext, ids: readonly string[]): Promise<Map<string, User>> {
  const rows = await repo.findPublicUsersByIds(ctx.db, ids);
  return new Map(rows.map((r) => [String(r.id), toUserView(r)]));
}

/**
 * What the social graph adds to accounts: profile counts, the viewer's relationship, and
 * who is hidden from whom (blocks). The graph module registers itself at start-up; until
 * then nobody follows or blocks anybody.
 */
export interface GraphLens {
  /** Counts and relationship for a profile, or null when the viewer must not see it (404). */
  profileExtras(ctx: AppContext, viewerId: string | null, user: repo.UserRow): Promise<Omit<Profile, 'user' | 'privateAccount'> | null>;
  /** Users the viewer must never see in lists or search. */
  hiddenUserIds(ctx: AppContext, viewerId: string): Promise<string[]>;
}
let graphLens: GraphLens | null = null;
export function registerGraphLens(lens: GraphLens) {
  graphLens = lens;
}

export async function hiddenUserIds(ctx: AppContext, viewerId: string | null): Promise<string[]> {
  return viewerId && graphLens ? graphLens.hiddenUserIds(ctx, viewerId) : [];
}

export async function getProfile(ctx: AppContext, viewerId: string | null, username: string): Promise<Profile> {
  const row = await repo.findUserByUsername(ctx.db, username);
  if (!row) throw notFound('user');
  if (!graphLens) {
    return {
      user: toUserView(row),
      counts: { followers: 0, following: 0, friends: 0, videos: 0 },
      relationship: { following: false, followedBy: false, friends: false, blocked: false, requested: false },
      privateAccount: row.private_account,
    };
  }
  const extras = await graphLens.profileExtras(ctx, viewerId, row);
  if (extras === null) throw notFound('user');
  return { user: toUserView(row), ...extras, privateAccount: row.private_account };
}

export async function searchUsers(
  ctx: AppContext,
  q: string,
  page: { cursor?: string; limit: number },
  excludeIds: readonly string[] = [],
) {
  const after = decodeCursor(page.cursor, 3);
  const rows = await repo.searchUsers(ctx.db, q, {
    limit: page.limit,
    after: after ? { rank: Number(after[0]), sim: Number(after[1]), id: String(after[2]) } : null,
    excludeIds,
  });
  return toPage(rows, page.limit, toUserView, (r) => [r.rank, r.sim, String(r.id)]);
}
