import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as repo from './messaging.repo.ts';
import { SendRulesCache } from './send-rules-cache.ts';

const member = (conversationId: string, userId: string) =>
  ({ conversation_id: conversationId, user_id: userId, role: 'member', state: 'active', engaged: true, read_seq: '0', joined_at: new Date() }) as repo.MemberRow;
const conversation = (id: string) => ({ id, kind: 'direct', title: null, direct_key: 'x', created_by: null, last_seq: '0', last_message_at: null, created_at: new Date() }) as repo.ConversationRow;

/** A database read that answers when told to, so a change can land while it is "in flight". */
function pendingRead() {
  let answer!: () => void;
  const read = (ids: readonly string[]) =>
    new Promise<Map<string, { conversation: repo.ConversationRow; members: repo.MemberRow[] }>>((resolve) => {
      answer = () => resolve(new Map(ids.map((id) => [id, { conversation: conversation(id), members: [member(id, 'a'), member(id, 'b')] }])));
    });
  return { read, answer: () => answer() };
}

function listeningCache() {
  const cache = new SendRulesCache();
  cache.listening = true;
  return cache;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SendRulesCache', () => {
  it('keeps what it loads, and forgets a conversation when it or any member changes', async () => {
    const cache = listeningCache();
    const r = pendingRead();
    const loading = cache.load(['1', '2'], cache.now, r.read);
    r.answer();
    expect([...(await loading).keys()]).toEqual(['1', '2']);
    expect([...cache.cached(['1', '2', '3']).keys()]).toEqual(['1', '2']);
    cache.forgetConversations(['1']);
    expect([...cache.cached(['1', '2']).keys()]).toEqual(['2']);
    cache.forgetUsers(['b']);
    expect(cache.cached(['2']).size).toBe(0);
  });

  it('uses a load that raced with a change once, but does not keep it', async () => {
    const cache = listeningCache();
    const r = pendingRead();
    const loading = cache.load(['1'], cache.now, r.read);
    cache.forgetUsers(['a']); // committed while the read was on its way
    r.answer();
    expect((await loading).has('1')).toBe(true);
    expect(cache.cached(['1']).size).toBe(0);
    // A change to someone else does not stop a load being kept.
    const again = pendingRead();
    const second = cache.load(['1'], cache.now, again.read);
    cache.forgetUsers(['z']);
    again.answer();
    await second;
    expect(cache.cached(['1']).size).toBe(1);
  });

  it('remembers a cleared sender only if nothing changed since the check began', async () => {
    const cache = listeningCache();
    const r = pendingRead();
    const loading = cache.load(['1'], cache.now, r.read);
    r.answer();
    const entry = (await loading).get('1')!;
    const since = cache.now;
    cache.forgetUsers(['b']);
    cache.markCleared(entry, 'a', since);
    expect(entry.cleared.has('a')).toBe(false);
    const fresh = pendingRead();
    const reloading = cache.load(['1'], cache.now, fresh.read);
    fresh.answer();
    const newEntry = (await reloading).get('1')!;
    cache.markCleared(newEntry, 'a', cache.now);
    expect(cache.cached(['1']).get('1')!.cleared.has('a')).toBe(true);
  });

  it('keeps nothing before it hears other nodes, and trusts an entry for 10 s at most', async () => {
    const cache = new SendRulesCache();
    let r = pendingRead();
    let loading = cache.load(['1'], cache.now, r.read);
    r.answer();
    await loading;
    expect(cache.cached(['1']).size).toBe(0);

    cache.listening = true;
    vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    r = pendingRead();
    loading = cache.load(['1'], cache.now, r.read);
    r.answer();
    await loading;
    vi.setSystemTime(Date.now() + 9_000);
    expect(cache.cached(['1']).size).toBe(1);
    vi.setSystemTime(Date.now() + 2_000);
    expect(cache.cached(['1']).size).toBe(0);
  });

  it('forgets everything when told it may have missed changes', async () => {
    const cache = listeningCache();
    const r = pendingRead();
    const loading = cache.load(['1', '2'], cache.now, r.read);
    const since = cache.now;
    r.answer();
    await loading;
    cache.forgetAll();
    expect(cache.cached(['1', '2']).size).toBe(0);
    const late = pendingRead();
    const old = cache.load(['3'], since, late.read);
    late.answer();
    await old;
    expect(cache.cached(['3']).size).toBe(0);
  });
});
