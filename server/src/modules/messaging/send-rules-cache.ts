import type { AppContext } from '../../app/context.ts';
import { announceChange, onChange, perNodeCache } from '../../platform/pubsub/invalidation.ts';
import { onUserRulesChanged } from '../accounts/index.ts';
import type * as repo from './messaging.repo.ts';

/** How long an entry is trusted without news: the bound on staleness if a change announcement is lost. */
const TTL_MS = 10_000;
/** About 1 KB for a direct conversation, a few KB for a full group. */
const MAX_ENTRIES = 10_000;
/** Past this many remembered changes the record starts over (loads in progress are then not kept). */
const MAX_REMEMBERED_CHANGES = 10_000;
const CONVERSATIONS_TOPIC = 'conversation-members';

export interface CachedConversation {
  conversation: repo.ConversationRow;
  members: repo.MemberRow[];
  /** Senders who passed the one-to-one rules here (blocks, age, "who may message me"). Refusals are never kept. */
  cleared: Set<string>;
  until: number;
}

/**
 * What every send checks — the conversation, its members, and for a direct conversation
 * whether the sender passed the one-to-one rules — kept in memory, so a busy conversation's
 * sends read nothing before they write. The messages themselves never come from here.
 *
 * An entry is dropped, on this node at once and on the others through pub/sub:
 * - when the conversation's members change (`conversationMembersChanged`, called by messaging);
 * - when any member's messaging settings, follows or blocks change (`userRulesChanged`, called
 *   by accounts and graph);
 * - after TTL_MS in any case, and all of them when pub/sub reconnects (an announcement may have
 *   been lost).
 *
 * A load that was reading while a change was announced could bring back what was true before
 * it: `changes` remembers when each conversation and person last changed, and such a load is
 * used for the sends in hand but not kept.
 */
export class SendRulesCache {
  private readonly entries = new Map<string, CachedConversation>();
  /** userId → ids of cached conversations they are in. */
  private readonly byUser = new Map<string, Set<string>>();
  /** `c:<id>` / `u:<id>` → the change count when it last changed. */
  private readonly changes = new Map<string, number>();
  private changeCount = 0;
  /** Loads that started before this count cannot tell what changed since: they are not kept. */
  private floor = 0;
  /** Nothing is kept until changes from other nodes reach this one. */
  listening = false;

  /** Pass this to `load` and `markCleared`: what they bring back is kept only if nothing changed after it. */
  get now(): number {
    return this.changeCount;
  }

  /** The cached conversations among `ids`, fresh ones only. */
  cached(ids: Iterable<string>): Map<string, CachedConversation> {
    const out = new Map<string, CachedConversation>();
    const t = Date.now();
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e) continue;
      if (e.until <= t) this.drop(id);
      else out.set(id, e);
    }
    return out;
  }

  /** Reads conversations and their members with `read` (one query), keeping them unless they changed since `since`. */
  async load(ids: readonly string[], since: number, read: (ids: readonly string[]) => Promise<Map<string, Omit<CachedConversation, 'cleared' | 'until'>>>): Promise<Map<string, CachedConversation>> {
    const out = new Map<string, CachedConversation>();
    if (ids.length === 0) return out;
    const found = await read(ids);
    const until = Date.now() + TTL_MS;
    for (const [id, f] of found) {
      const entry: CachedConversation = { ...f, cleared: new Set(), until };
      out.set(id, entry);
      if (!this.changedSince(since, id, f.members)) this.store(id, entry);
    }
    return out;
  }

  /** Remembers that `senderId` passed the one-to-one rules in the conversation (checked as of `since`). */
  markCleared(entry: CachedConversation, senderId: string, since: number) {
    const id = String(entry.conversation.id);
    if (this.entries.get(id) === entry && !this.changedSince(since, id, entry.members)) entry.cleared.add(senderId);
  }

  /** Messages were written up to `seq`: a reply to them is to a message that exists. */
  noteSeq(conversationId: string, seq: number) {
    const e = this.entries.get(conversationId);
    if (e && Number(e.conversation.last_seq) < seq) e.conversation.last_seq = String(seq);
  }

  forgetConversations(ids: readonly string[]) {
    this.changeCount += 1;
    for (const id of ids) {
      this.remember(`c:${id}`);
      this.drop(id);
    }
  }

  forgetUsers(userIds: readonly string[]) {
    this.changeCount += 1;
    for (const uid of userIds) {
      this.remember(`u:${uid}`);
      for (const id of [...(this.byUser.get(uid) ?? [])]) this.drop(id);
    }
  }

  forgetAll() {
    this.changeCount += 1;
    this.floor = this.changeCount;
    this.changes.clear();
    this.entries.clear();
    this.byUser.clear();
  }

  private remember(key: string) {
    if (this.changes.size >= MAX_REMEMBERED_CHANGES) {
      this.changes.clear();
      this.floor = this.changeCount;
    }
    this.changes.set(key, this.changeCount);
  }

  private changedSince(since: number, id: string, members: readonly repo.MemberRow[]): boolean {
    if (since < this.floor) return true;
    if ((this.changes.get(`c:${id}`) ?? 0) > since) return true;
    return members.some((m) => (this.changes.get(`u:${m.user_id}`) ?? 0) > since);
  }

  private store(id: string, entry: CachedConversation) {
    if (!this.listening) return;
    this.drop(id);
    // Map keeps insertion order: the first key is the oldest entry.
    if (this.entries.size >= MAX_ENTRIES) this.drop(this.entries.keys().next().value!);
    this.entries.set(id, entry);
    for (const m of entry.members) {
      const uid = String(m.user_id);
      let set = this.byUser.get(uid);
      if (!set) {
        set = new Set();
        this.byUser.set(uid, set);
      }
      set.add(id);
    }
  }

  private drop(id: string) {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    for (const m of e.members) {
      const uid = String(m.user_id);
      const set = this.byUser.get(uid);
      set?.delete(id);
      if (set?.size === 0) this.byUser.delete(uid);
    }
  }
}

const caches = new WeakMap<AppContext, SendRulesCache>();

/** The send-rules cache of one running server (tests run several in one process). */
export function sendRulesCache(ctx: AppContext): SendRulesCache {
  // Until it hears of changes nothing is kept: every send reads its checks from the database.
  return perNodeCache(caches, ctx, () => new SendRulesCache(), (cache) => [
    onUserRulesChanged(ctx, (userIds) => (userIds ? cache.forgetUsers(userIds) : cache.forgetAll())),
    onChange(ctx, CONVERSATIONS_TOPIC, (ids) => (ids ? cache.forgetConversations(ids) : cache.forgetAll())),
  ]);
}

/** A conversation's members or their states changed (joined, left, accepted, declined): every node reloads it. */
export function conversationMembersChanged(ctx: AppContext, conversationIds: readonly string[]) {
  sendRulesCache(ctx);
  announceChange(ctx, CONVERSATIONS_TOPIC, conversationIds);
}
