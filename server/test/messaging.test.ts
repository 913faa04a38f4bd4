import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, block } from './graph-helpers.ts';
import { engine, type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { connectWs, settle, type WsClient } from './ws-client.ts';

let s: TestServer;
const sockets: WsClient[] = [];
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  for (const c of sockets) c.close();
  await s?.close();
});

async function ws(u: MadeUser, hello: boolean | Record<string, number> = true) {
  const c = await connectWs(s.url, { token: u.token, hello });
  sockets.push(c);
  return c;
}

let n = 0;
const cid = () => `c-${Date.now()}-${++n}`;

async function openDirect(a: MadeUser, b: MadeUser) {
  const res = await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } });
  expect([200, 201]).toContain(res.status);
  return res.body.conversation.id as string;
}

async function post(u: MadeUser, conversationId: string, body: Record<string, unknown>) {
  return s.api('POST', `/conversations/${conversationId}/messages`, { token: u.token, body: { clientMsgId: cid(), ...body } });
}

describe(`messaging over HTTP (${engine})`, () => {
  it('opens one direct conversation per pair (reused with 200), and a first message from a stranger is a request', async () => {
    const [a, b] = [await s.make.user(), await s.make.user()];
    const first = await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } });
    expect(first.status).toBe(201);
    expect(first.body.conversation).toMatchObject({ kind: 'direct', title: null, lastSeq: 0, unreadCount: 0, state: 'active', lastMessage: null });
    expect(first.body.conversation.members.map((m: any) => m.id).sort()).toEqual([a.id, b.id].sort());
    const again = await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } });
    expect(again.status).toBe(200);
    expect(again.body.conversation.id).toBe(first.body.conversation.id);
    const fromB = await s.api('POST', '/conversations', { token: b.token, body: { memberIds: [a.id] } });
    expect(fromB.status).toBe(200);
    expect(fromB.body.conversation.id).toBe(first.body.conversation.id);
    expect(fromB.body.conversation.state).toBe('request');

    const id = first.body.conversation.id;
    // Not in B's lists before a message; then in Requests, not the inbox.
    expect((await s.api('GET', '/conversations?folder=requests', { token: b.token })).body.items).toEqual([]);
    const sent = await post(a, id, { text: 'hi there' });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ conversationId: id, seq: 1, senderId: a.id, text: 'hi there', replyToSeq: null, share: null, reactions: [], editedAt: null, deletedAt: null });
    const requests = await s.api('GET', '/conversations?folder=requests', { token: b.token });
    expect(requests.body.items.map((c: any) => c.id)).toEqual([id]);
    expect(requests.body.items[0]).toMatchObject({ unreadCount: 1, lastSeq: 1, state: 'request', lastMessage: { text: 'hi there' } });
    expect((await s.api('GET', '/conversations?folder=inbox', { token: b.token })).body.items).toEqual([]);
    expect((await s.api('GET', '/conversations', { token: a.token })).body.items.map((c: any) => c.id)).toEqual([id]);

    // B reads it: A must not see the read mark until B accepts.
    expect((await s.api('POST', `/conversations/${id}/read`, { token: b.token, body: { seq: 1 } })).status).toBe(200);
    let aView = (await s.api('GET', `/conversations/${id}`, { token: a.token })).body.conversation;
    expect(aView.members.find((m: any) => m.id === b.id).readSeq).toBeNull();
    const accepted = await s.api('POST', `/conversations/${id}/accept`, { token: b.token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.conversation.state).toBe('active');
    expect((await s.api('GET', '/conversations?folder=inbox', { token: b.token })).body.items.map((c: any) => c.id)).toEqual([id]);
    aView = (await s.api('GET', `/conversations/${id}`, { token: a.token })).body.conversation;
    expect(aView.members.find((m: any) => m.id === b.id).readSeq).toBe(1);
  });

  it('friends land straight in the inbox; decline hides a request from both folders', async () => {
    const [a, b, c] = [await s.make.user(), await s.make.user(), await s.make.user()];
    await befriend(s, a, b);
    const ab = await openDirect(a, b);
    await post(a, ab, { text: 'friend hello' });
    expect((await s.api('GET', '/conversations?folder=inbox', { token: b.token })).body.items.map((x: any) => x.id)).toEqual([ab]);

    const cb = await openDirect(c, b);
    await post(c, cb, { text: 'stranger hello' });
    expect((await s.api('POST', `/conversations/${cb}/decline`, { token: b.token })).status).toBe(200);
    for (const folder of ['inbox', 'requests']) {
      const items = (await s.api('GET', `/conversations?folder=${folder}`, { token: b.token })).body.items.map((x: any) => x.id);
      expect(items).not.toContain(cb);
    }
    // Declining an accepted conversation is not a thing.
    expect((await s.api('POST', `/conversations/${ab}/decline`, { token: b.token })).status).toBe(409);
  });

  it('respects "who may message me", blocks and the minimum age', async () => {
    const [a, b] = [await s.make.user(), await s.make.user()];
    await s.api('PATCH', '/me/settings', { token: b.token, body: { dmPolicy: 'nobody' } });
    let res = await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('messaging_not_allowed');

    await s.api('PATCH', '/me/settings', { token: b.token, body: { dmPolicy: 'friends' } });
    expect((await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } })).status).toBe(403);
    await befriend(s, a, b);
    res = await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } });
    expect(res.status).toBe(201);
    const id = res.body.conversation.id;
    expect((await post(a, id, { text: 'ok now' })).status).toBe(201);

    // A block hides the person: 404, and nothing more gets through.
    await block(s, b, a);
    expect((await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } })).status).toBe(404);
    const blocked = await post(a, id, { text: 'still there?' });
    expect(blocked.status).toBe(404);
    expect((await s.api('GET', `/conversations/${id}`, { token: a.token })).body.conversation.lastSeq).toBe(1);

    const year = new Date().getUTCFullYear();
    const teen = await s.make.user({ birthdate: `${year - 15}-01-01` });
    const adult = await s.make.user({ birthdate: `${year - 30}-01-01` });
    res = await s.api('POST', '/conversations', { token: adult.token, body: { memberIds: [teen.id] } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('messaging_age_restricted');
    res = await s.api('POST', '/conversations', { token: teen.token, body: { memberIds: [adult.id] } });
    expect(res.status).toBe(403);
    expect((await s.api('POST', '/conversations', { token: a.token, body: { memberIds: ['999999999'] } })).status).toBe(404);
  });

  it('sends check membership and the rules from memory, yet see every change at once', async () => {
    const [a, b] = [await s.make.user(), await s.make.user()];
    await befriend(s, a, b);
    await s.api('PATCH', '/me/settings', { token: b.token, body: { dmPolicy: 'friends' } });
    const id = await openDirect(a, b);
    expect((await post(a, id, { text: 'warm' })).status).toBe(201);
    expect((await post(a, id, { text: 'from memory' })).status).toBe(201);
    // No longer friends: "friends only" refuses the next send, and a refusal is never remembered.
    expect((await s.api('DELETE', `/users/${b.id}/follow`, { token: a.token })).status).toBe(200);
    const refused = await post(a, id, { text: 'still friends?' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('messaging_not_allowed');
    await befriend(s, a, b);
    expect((await post(a, id, { text: 'friends again' })).status).toBe(201);
    await s.api('PATCH', '/me/settings', { token: b.token, body: { dmPolicy: 'nobody' } });
    expect((await post(a, id, { text: 'nobody now' })).status).toBe(403);
    // Once B writes back, "who may message me" no longer gates A here.
    await s.api('POST', `/conversations/${id}/accept`, { token: b.token });
    expect((await post(b, id, { text: 'go on' })).status).toBe(201);
    expect((await post(a, id, { text: 'thanks' })).status).toBe(201);
    await block(s, b, a);
    expect((await post(a, id, { text: 'blocked' })).status).toBe(404);

    // Groups: whoever was removed or left cannot post, however warm the conversation was.
    const [o, p, q] = [await s.make.user(), await s.make.user(), await s.make.user()];
    await befriend(s, o, p);
    await befriend(s, o, q);
    const g = (await s.api('POST', '/conversations', { token: o.token, body: { memberIds: [p.id, q.id], title: 'warm group' } })).body.conversation.id;
    for (const u of [o, p, q]) expect((await post(u, g, { text: 'hello all' })).status).toBe(201);
    expect((await s.api('DELETE', `/conversations/${g}/members/${q.id}`, { token: o.token })).status).toBeLessThan(300);
    expect((await post(q, g, { text: 'removed?' })).status).toBe(404);
    expect((await s.api('DELETE', `/conversations/${g}/members/${p.id}`, { token: p.token })).status).toBeLessThan(300);
    expect((await post(p, g, { text: 'left?' })).status).toBe(404);
    const seqs = (await s.api('GET', `/conversations/${g}/messages`, { token: o.token })).body.items.map((m: any) => m.seq);
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('keeps seqs gap-free, makes one message per clientMsgId, validates every field', async () => {
    const [a, b] = [await s.make.user(), await s.make.user()];
    const id = await openDirect(a, b);
    const once = await post(a, id, { clientMsgId: 'same-id-1', text: 'one' });
    expect(once.status).toBe(201);
    const twice = await post(a, id, { clientMsgId: 'same-id-1', text: 'one (retry)' });
    expect(twice.status).toBe(200);
    expect(twice.body.message).toEqual(once.body.message);
    // Concurrent sends from two people still take consecutive seqs.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i % 2 ? a : b, id, { text: `m${i}` })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.map((r) => r.body.message.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));

    const bad: Array<[Record<string, unknown>, string]> = [
      [{ text: 'x'.repeat(4001) }, 'text'],
      [{ text: 'nul\u0000' }, 'text'],
      [{ text: '   ' }, 'text'],
      [{}, 'text'],
      [{ clientMsgId: '', text: 'x' }, 'clientMsgId'],
      [{ clientMsgId: 'has space', text: 'x' }, 'clientMsgId'],
      [{ text: 'x', replyToSeq: 999 }, 'replyToSeq'],
      [{ text: 'x', replyToSeq: 0 }, 'replyToSeq'],
      [{ share: { type: 'song', id: '1' } }, 'share.type'],
    ];
    for (const [body, field] of bad) {
      const res = await s.api('POST', `/conversations/${id}/messages`, { token: a.token, body: { clientMsgId: cid(), ...body } });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors?.[0]?.field ?? res.body.detail).toContain(field);
    }
    expect((await post(a, id, { text: 'x'.repeat(4000) })).status).toBe(201);
    // Using a clientMsgId from one conversation in another is a conflict, not a silent replay.
    const other = await openDirect(a, await s.make.user());
    expect((await post(a, other, { clientMsgId: 'same-id-1', text: 'elsewhere' })).status).toBe(409);
    expect((await s.api('GET', `/conversations/${id}`, { token: a.token })).body.conversation.lastSeq).toBe(22);
  });

  it('pages history with beforeSeq / afterSeq and searches a conversation', async () => {
    const [a, b] = [await s.make.user(), await s.make.user()];
    const id = await openDirect(a, b);
    for (let i = 1; i <= 12; i++) await post(a, id, { text: i === 7 ? 'the quick brown fox' : `note number ${i}` });
    const latest = await s.api('GET', `/conversations/${id}/messages?limit=5`, { token: b.token });
    expect(latest.body.items.map((m: any) => m.seq)).toEqual([8, 9, 10, 11, 12]);
    const older = await s.api('GET', `/conversations/${id}/messages?limit=5&beforeSeq=8`, { token: b.token });
    expect(older.body.items.map((m: any) => m.seq)).toEqual([3, 4, 5, 6, 7]);
    const next = await s.api('GET', `/conversations/${id}/messages?limit=5&cursor=${older.body.nextCursor}`, { token: b.token });
    expect(next.body.items.map((m: any) => m.seq)).toEqual([1, 2]);
    expect(next.body.nextCursor).toBeNull();
    const after = await s.api('GET', `/conversations/${id}/messages?afterSeq=10`, { token: b.token });
    expect(after.body.items.map((m: any) => m.seq)).toEqual([11, 12]);
    expect((await s.api('GET', `/conversations/${id}/messages?limit=101`, { token: b.token })).status).toBe(400);

    const found = await s.api('GET', `/conversations/${id}/messages/search?q=${encodeURIComponent('brown FOX')}`, { token: b.token });
    expect(found.status).toBe(200);
    expect(found.body.items.map((m: any) => m.seq)).toEqual([7]);
    expect((await s.api('GET', `/conversations/${id}/messages/search?q=number`, { token: b.token })).body.items).toHaveLength(11);
    expect((await s.api('GET', `/conversations/${id}/messages/search?q=`, { token: b.token })).status).toBe(400);
    expect((await s.api('GET', `/conversations/${id}/messages/search?q=fox&cursor=${Buffer.from('["x"]').toString('base64url')}`, { token: b.token })).status).toBe(400);
  });

  it('searches a long conversation a window at a time, with a cursor to look further back', async () => {
    const [a, b] = [await s.make.user(), await s.make.user()];
    const id = await openDirect(a, b);
    // 50,100 messages; the needle is at seq 10, far behind the newest window.
    await sql`
      INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, text)
      SELECT ${id}::bigint, g, ${a.id}::bigint, 'bulk-' || g, CASE WHEN g = 10 THEN 'a needle in hay' ELSE 'hay number ' || g END
      FROM generate_series(1, 50100) g`.execute(s.ctx.db);
    await sql`UPDATE conversations SET last_seq = 50100 WHERE id = ${id}`.execute(s.ctx.db);
    const first = await s.api('GET', `/conversations/${id}/messages/search?q=needle`, { token: b.token });
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([]);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await s.api('GET', `/conversations/${id}/messages/search?q=needle&cursor=${first.body.nextCursor}`, { token: b.token });
    expect(second.body.items.map((m: any) => m.seq)).toEqual([10]);
    expect(second.body.nextCursor).toBeNull();
    // A full page stops at the last match it returned.
    const page = await s.api('GET', `/conversations/${id}/messages/search?q=hay&limit=3`, { token: b.token });
    expect(page.body.items.map((m: any) => m.seq)).toEqual([50100, 50099, 50098]);
    const more = await s.api('GET', `/conversations/${id}/messages/search?q=hay&limit=3&cursor=${page.body.nextCursor}`, { token: b.token });
    expect(more.body.items.map((m: any) => m.seq)).toEqual([50097, 50096, 50095]);
  }, 60_000);

  it('edits within 15 minutes, unsends for everyone, reacts, replies, and shares profile cards', async () => {
    const [a, b, c] = [await s.make.user(), await s.make.user(), await s.make.user()];
    const id = await openDirect(a, b);
    const m1 = (await post(a, id, { text: 'tpyo' })).body.message;
    const edited = await s.api('PATCH', `/conversations/${id}/messages/1`, { token: a.token, body: { text: 'typo' } });
    expect(edited.status).toBe(200);
    expect(edited.body.message).toMatchObject({ id: m1.id, text: 'typo', editedAt: expect.any(String) });
    expect((await s.api('PATCH', `/conversations/${id}/messages/1`, { token: b.token, body: { text: 'mine now' } })).status).toBe(403);
    // Age the message past the window (the clock is the database's).
    await sql`UPDATE messages SET created_at = now() - interval '16 minutes' WHERE id = ${m1.id}`.execute(s.ctx.db);
    const late = await s.api('PATCH', `/conversations/${id}/messages/1`, { token: a.token, body: { text: 'too late' } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('edit_window_closed');

    const reply = await post(b, id, { text: 'replying', replyToSeq: 1 });
    expect(reply.body.message.replyToSeq).toBe(1);
    const heart = encodeURIComponent('❤️');
    const reacted = await s.api('PUT', `/conversations/${id}/messages/1/reactions/${heart}`, { token: b.token });
    expect(reacted.status).toBe(200);
    expect(reacted.body.message.reactions).toEqual([{ emoji: '❤️', count: 1, userIds: [b.id] }]);
    await s.api('PUT', `/conversations/${id}/messages/1/reactions/${heart}`, { token: a.token });
    const thumbs = await s.api('PUT', `/conversations/${id}/messages/1/reactions/${encodeURIComponent('👍🏽')}`, { token: a.token });
    expect(thumbs.body.message.reactions).toEqual([
      { emoji: '❤️', count: 2, userIds: [b.id, a.id] },
      { emoji: '👍🏽', count: 1, userIds: [a.id] },
    ]);
    expect((await s.api('PUT', `/conversations/${id}/messages/1/reactions/hello`, { token: a.token })).status).toBe(400);
    const removed = await s.api('DELETE', `/conversations/${id}/messages/1/reactions/${heart}`, { token: b.token });
    expect(removed.body.message.reactions.find((r: any) => r.emoji === '❤️')).toEqual({ emoji: '❤️', count: 1, userIds: [a.id] });

    expect((await s.api('DELETE', `/conversations/${id}/messages/2`, { token: a.token })).status).toBe(403);
    const unsent = await s.api('DELETE', `/conversations/${id}/messages/1`, { token: a.token });
    expect(unsent.status).toBe(200);
    expect(unsent.body.message).toMatchObject({ seq: 1, text: null, share: null, reactions: [], deletedAt: expect.any(String) });
    const seen = (await s.api('GET', `/conversations/${id}/messages`, { token: b.token })).body.items[0];
    expect(seen).toMatchObject({ seq: 1, text: null, deletedAt: expect.any(String) });
    expect((await s.api('GET', `/conversations/${id}/messages/search?q=typo`, { token: b.token })).body.items).toEqual([]);
    expect((await s.api('DELETE', `/conversations/${id}/messages/99`, { token: a.token })).status).toBe(404);

    // A profile card resolves when read; a card for someone who blocks the reader is unavailable.
    const card = await post(a, id, { share: { type: 'user', id: c.id } });
    expect(card.status).toBe(201);
    expect(card.body.message.share).toMatchObject({ type: 'user', id: c.id, status: 'available', card: { user: { id: c.id, username: c.username } } });
    await block(s, c, b);
    const asB = (await s.api('GET', `/conversations/${id}/messages?afterSeq=2`, { token: b.token })).body.items[0];
    expect(asB.share).toEqual({ type: 'user', id: c.id, status: 'unavailable', card: null });
    // Video cards are resolved by the sharing module: a clip that does not exist cannot be shared.
    expect((await post(a, id, { share: { type: 'video', id: '12345' } })).status).toBe(404);
    expect((await post(a, id, { share: { type: 'user', id: '999999999' } })).status).toBe(404);
  });

  it('runs groups: friends only, ≤ 32 members, owner adds and removes, members leave', async () => {
    const owner = await s.make.user();
    const [f1, f2, f3, stranger] = [await s.make.user(), await s.make.user(), await s.make.user(), await s.make.user()];
    for (const f of [f1, f2, f3]) await befriend(s, owner, f);
    const bad = await s.api('POST', '/conversations', { token: owner.token, body: { memberIds: [f1.id, stranger.id], title: 'Crew' } });
    expect(bad.status).toBe(403);
    expect(bad.body.code).toBe('not_friends');
    const tooMany = await s.api('POST', '/conversations', { token: owner.token, body: { memberIds: Array.from({ length: 32 }, (_, i) => String(1000 + i)), title: 'Huge' } });
    expect(tooMany.status).toBe(400);

    const created = await s.api('POST', '/conversations', { token: owner.token, body: { memberIds: [f1.id, f2.id], title: 'Crew' } });
    expect(created.status).toBe(201);
    const g = created.body.conversation;
    expect(g).toMatchObject({ kind: 'group', title: 'Crew', state: 'active' });
    expect(g.members.find((m: any) => m.id === owner.id).role).toBe('owner');
    const id = g.id;
    expect((await post(f1, id, { text: 'hey crew' })).status).toBe(201);
    expect((await s.api('GET', '/conversations', { token: f2.token })).body.items[0]).toMatchObject({ id, unreadCount: 1 });

    expect((await s.api('POST', `/conversations/${id}/members`, { token: f1.token, body: { userIds: [f3.id] } })).status).toBe(403);
    expect((await s.api('POST', `/conversations/${id}/members`, { token: owner.token, body: { userIds: [stranger.id] } })).status).toBe(403);
    const added = await s.api('POST', `/conversations/${id}/members`, { token: owner.token, body: { userIds: [f3.id] } });
    expect(added.status).toBe(200);
    expect(added.body.conversation.members).toHaveLength(4);
    expect((await s.api('GET', `/conversations/${id}/messages`, { token: f3.token })).status).toBe(200);

    expect((await s.api('DELETE', `/conversations/${id}/members/${f2.id}`, { token: f1.token })).status).toBe(403);
    expect((await s.api('DELETE', `/conversations/${id}/members/${f2.id}`, { token: owner.token })).status).toBe(200);
    expect((await s.api('GET', `/conversations/${id}/messages`, { token: f2.token })).status).toBe(404);
    expect((await s.api('DELETE', `/conversations/${id}/members/${f1.id}`, { token: f1.token })).status).toBe(200);
    expect((await s.api('GET', `/conversations/${id}`, { token: f1.token })).status).toBe(404);
    // The owner leaves: someone else owns it now.
    await s.api('DELETE', `/conversations/${id}/members/${owner.id}`, { token: owner.token });
    const left = (await s.api('GET', `/conversations/${id}`, { token: f3.token })).body.conversation;
    expect(left.members.map((m: any) => [m.id, m.role])).toEqual([[f3.id, 'owner']]);

    const direct = await openDirect(owner, f1);
    expect((await s.api('POST', `/conversations/${direct}/members`, { token: owner.token, body: { userIds: [f2.id] } })).status).toBe(409);
  });
});

describe(`messaging over the WebSocket (${engine})`, () => {
  it('acks after commit and delivers each message once to every connection of every member', async () => {
    const [a, b] = [await s.make.user(), await s.make.user()];
    await befriend(s, a, b);
    const id = await openDirect(a, b);
    const [a1, a2, b1, b2] = [await ws(a), await ws(a), await ws(b), await ws(b)];
    a1.send({ type: 'send', conversationId: id, clientMsgId: 'ws-1', text: 'over the socket' });
    const ack = await a1.waitFor((f) => f.type === 'ack');
    expect(ack).toEqual({ type: 'ack', clientMsgId: 'ws-1', conversationId: id, seq: 1, messageId: expect.any(String) });
    for (const c of [a1, a2, b1, b2]) {
      const m = await c.waitFor((f) => f.type === 'message');
      expect(m.message).toMatchObject({ id: ack.messageId, seq: 1, text: 'over the socket', senderId: a.id });
    }
    // A retry of the same clientMsgId acks the same message and delivers nothing new.
    a1.send({ type: 'send', conversationId: id, clientMsgId: 'ws-1', text: 'over the socket' });
    await a1.waitForCount((f) => f.type === 'ack', 2);
    expect(a1.frames.filter((f) => f.type === 'ack')[1]).toEqual(ack);
    b1.send({ type: 'send', conversationId: id, clientMsgId: 'ws-2', text: 'back at you' });
    for (const c of [a1, a2, b1, b2]) await c.waitFor((f) => f.type === 'message' && f.message.seq === 2);
    await settle();
    for (const c of [a1, a2, b1, b2]) expect(c.frames.filter((f) => f.type === 'message').map((f) => f.message.seq)).toEqual([1, 2]);
    expect(a1.frames.findIndex((f) => f.type === 'ack') < a1.frames.findIndex((f) => f.type === 'message')).toBe(true);

    // Read marks, typing, edits and reactions reach the others.
    a1.send({ type: 'read', conversationId: id, seq: 2 });
    expect(await b2.waitFor((f) => f.type === 'read')).toEqual({ type: 'read', conversationId: id, userId: a.id, seq: 2 });
    await a2.waitFor((f) => f.type === 'read' && f.userId === a.id);
    b2.send({ type: 'typing', conversationId: id });
    expect(await a1.waitFor((f) => f.type === 'typing')).toMatchObject({ type: 'typing', conversationId: id, userId: b.id, expiresInMs: expect.any(Number) });
    expect(b2.frames.some((f) => f.type === 'typing')).toBe(false);
    await s.api('PATCH', `/conversations/${id}/messages/1`, { token: a.token, body: { text: 'edited on the socket' } });
    expect((await b2.waitFor((f) => f.type === 'message.updated')).message).toMatchObject({ seq: 1, text: 'edited on the socket' });
    await s.api('PUT', `/conversations/${id}/messages/2/reactions/${encodeURIComponent('🔥')}`, { token: a.token });
    await b1.waitFor((f) => f.type === 'message.updated' && f.message.reactions.length === 1);
    const unread = (await s.api('GET', `/conversations/${id}`, { token: b.token })).body.conversation;
    expect(unread).toMatchObject({ unreadCount: 0, readSeq: 2 });
    const forA = (await s.api('GET', `/conversations/${id}`, { token: a.token })).body.conversation;
    expect(forA).toMatchObject({ unreadCount: 0, readSeq: 2 });
    expect(forA.members.find((m: any) => m.id === b.id).readSeq).toBe(2);
    a1.send({ type: 'ping' });
    await a1.waitFor((f) => f.type === 'pong');
  });

  it('a request recipient sees messages live but the sender gets no read receipts until accepted', async () => {
    const [a, b] = [await s.make.user(), await s.make.user()];
    const id = await openDirect(a, b);
    const [wa, wb] = [await ws(a), await ws(b)];
    wa.send({ type: 'send', conversationId: id, clientMsgId: 'req-1', text: 'hello stranger' });
    await wb.waitFor((f) => f.type === 'message' && f.message.seq === 1);
    wb.send({ type: 'read', conversationId: id, seq: 1 });
    await wb.waitFor((f) => f.type === 'read');
    await settle();
    expect(wa.frames.some((f) => f.type === 'read' && f.userId === b.id)).toBe(false);
    await s.api('POST', `/conversations/${id}/accept`, { token: b.token });
    await wa.waitFor((f) => f.type === 'conversation.updated' && f.conversation.members.find((m: any) => m.id === b.id)?.readSeq === 1);
  });

  it('resume replays every missed message once, in order, before live traffic', async () => {
    const [a, b] = [await s.make.user(), await s.make.user()];
    await befriend(s, a, b);
    const id = await openDirect(a, b);
    for (let i = 1; i <= 3; i++) await post(a, id, { text: `before ${i}` });
    const other = await openDirect(a, await s.make.user());
    await post(a, other, { text: 'not for b' });
    // b holds seq 1; 2..3 came while it was away; plus more than one catch-up page later.
    const wb = await ws(b, { [id]: 1, [other]: 0 });
    const wa = await ws(a);
    wa.send({ type: 'send', conversationId: id, clientMsgId: 'live-1', text: 'live' });
    await wb.waitFor((f) => f.type === 'message' && f.message.seq === 4);
    await settle();
    const seqs = wb.frames.filter((f) => f.type === 'message').map((f) => [f.message.conversationId, f.message.seq]);
    expect(seqs).toEqual([
      [id, 2],
      [id, 3],
      [id, 4],
    ]);
    expect(wb.frames[0]).toEqual({ type: 'ready', userId: b.id });

    // A client that claims more than exists still gets what comes next.
    const wb2 = await ws(b, { [id]: 500 });
    await post(a, id, { text: 'after a bogus resume' });
    await wb2.waitFor((f) => f.type === 'message' && f.message.seq === 5);
  });

  it('authenticates by bearer, ?token= and cookie; refuses other origins and anonymous sockets', async () => {
    const a = await s.make.user();
    const viaQuery = await connectWs(`${s.url}`, { hello: false, headers: {} }).catch((e) => e);
    expect(viaQuery.status).toBe(401);
    const { default: WebSocket } = await import('ws');
    const byToken = new WebSocket(`${s.url.replace('http', 'ws')}/api/v1/ws?token=${a.token}`);
    await new Promise((r) => byToken.once('open', r));
    byToken.send(JSON.stringify({ type: 'hello' }));
    const ready = await new Promise((r) => byToken.once('message', (d) => r(JSON.parse(String(d)))));
    expect(ready).toEqual({ type: 'ready', userId: a.id });
    byToken.close();
    const cookie = await connectWs(s.url, { headers: { cookie: `loop_session=${a.token}`, origin: s.url } });
    cookie.close();
    const evil = await connectWs(s.url, { headers: { cookie: `loop_session=${a.token}`, origin: 'https://evil.example' }, hello: false }).catch((e) => e);
    expect(evil.status).toBe(403);
  });

  it("signing out closes that session's sockets at once (code 4001), and only those", async () => {
    const a = await s.make.user();
    const other = await s.api('POST', '/auth/login', { body: { username: a.username, password: a.password } });
    expect(other.status).toBe(200);
    const [phone, laptop] = [await connectWs(s.url, { token: a.token }), await connectWs(s.url, { token: other.body.token })];
    expect((await s.api('POST', '/auth/logout', { token: a.token })).status).toBe(204);
    expect((await phone.closed).code).toBe(4001);
    // The other session's socket stays open and usable; the signed-out token cannot come back.
    laptop.send({ type: 'ping' });
    await laptop.waitFor((f) => f.type === 'pong');
    expect(await connectWs(s.url, { token: a.token }).catch((e) => e.status)).toBe(401);
    laptop.close();
  });

  it('closes sockets whose session expired while they were open (4001), and keeps the others', async () => {
    const quick = await startTestServer({ env: { WS_SESSION_RECHECK_MS: '200' } });
    try {
      const [expiring, staying] = [await quick.make.user(), await quick.make.user()];
      const [gone, kept] = [await connectWs(quick.url, { token: expiring.token }), await connectWs(quick.url, { token: staying.token })];
      // Several re-checks pass with both sessions live: nobody is closed.
      await settle(700);
      kept.send({ type: 'ping' });
      gone.send({ type: 'ping' });
      await kept.waitFor((f) => f.type === 'pong');
      await gone.waitFor((f) => f.type === 'pong');
      await sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = ${expiring.id}`.execute(quick.ctx.db);
      expect((await gone.closed).code).toBe(4001);
      kept.send({ type: 'ping' });
      await kept.waitForCount((f) => f.type === 'pong', 2);
      kept.close();
    } finally {
      await quick.close();
    }
  });
});

describe(`non-members learn nothing (${engine})`, () => {
  it('answers 404 on every conversation and message route and sends no frames to outsiders', async () => {
    const [a, b, outsider] = [await s.make.user(), await s.make.user(), await s.make.user()];
    await befriend(s, a, b);
    await befriend(s, a, outsider);
    const direct = await openDirect(a, b);
    const group = (await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id], title: 'Secret' } })).body.conversation.id;
    const wOut = await ws(outsider);
    for (const id of [direct, group]) {
      await post(a, id, { text: 'secret words' });
      const heart = encodeURIComponent('❤️');
      const routes: Array<[string, string, unknown?]> = [
        ['GET', `/conversations/${id}`],
        ['GET', `/conversations/${id}/messages`],
        ['GET', `/conversations/${id}/messages?afterSeq=0`],
        ['GET', `/conversations/${id}/messages/search?q=secret`],
        ['POST', `/conversations/${id}/messages`, { clientMsgId: cid(), text: 'let me in' }],
        ['PATCH', `/conversations/${id}/messages/1`, { text: 'changed' }],
        ['DELETE', `/conversations/${id}/messages/1`],
        ['PUT', `/conversations/${id}/messages/1/reactions/${heart}`],
        ['DELETE', `/conversations/${id}/messages/1/reactions/${heart}`],
        ['POST', `/conversations/${id}/read`, { seq: 1 }],
        ['POST', `/conversations/${id}/accept`],
        ['POST', `/conversations/${id}/decline`],
        ['POST', `/conversations/${id}/members`, { userIds: [outsider.id] }],
        ['DELETE', `/conversations/${id}/members/${b.id}`],
        ['DELETE', `/conversations/${id}/members/${outsider.id}`],
      ];
      for (const [method, path, body] of routes) {
        const res = await s.api(method, path, { token: outsider.token, body });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.code).toBe('conversation_not_found');
        expect(JSON.stringify(res.body)).not.toContain('secret');
      }
      // The same answer as for a conversation that does not exist.
      expect((await s.api('GET', '/conversations/999999999', { token: outsider.token })).body.code).toBe('conversation_not_found');
      wOut.send({ type: 'send', conversationId: id, clientMsgId: cid(), text: 'let me in' });
      expect((await wOut.waitFor((f) => f.type === 'error' && f.code === 'conversation_not_found')).code).toBe('conversation_not_found');
      wOut.frames.length = 0;
      wOut.send({ type: 'read', conversationId: id, seq: 1 });
      await wOut.waitFor((f) => f.type === 'error' && f.code === 'conversation_not_found');
      wOut.frames.length = 0;
      wOut.send({ type: 'typing', conversationId: id });
      await wOut.waitFor((f) => f.type === 'error' && f.code === 'conversation_not_found');
      wOut.frames.length = 0;
    }
    // An outsider's resume that names these conversations gets nothing from them.
    const wOut2 = await ws(outsider, { [direct]: 0, [group]: 0 });
    // Everything the members do now: messages, edits, reactions, reads, typing, member changes.
    const [wa, wb] = [await ws(a), await ws(b)];
    for (const id of [direct, group]) {
      wa.send({ type: 'send', conversationId: id, clientMsgId: cid(), text: 'more secrets' });
      await wb.waitFor((f) => f.type === 'message' && f.message.conversationId === id && f.message.seq === 2);
      wb.send({ type: 'read', conversationId: id, seq: 2 });
      wb.send({ type: 'typing', conversationId: id });
      await s.api('PATCH', `/conversations/${id}/messages/2`, { token: a.token, body: { text: 'edited secret' } });
      await s.api('PUT', `/conversations/${id}/messages/2/reactions/${encodeURIComponent('😂')}`, { token: b.token });
      await wa.waitFor((f) => f.type === 'read' && f.conversationId === id);
    }
    await settle(500);
    expect(wOut2.frames.map((f) => f.type)).toEqual(['ready']);
    for (const c of [wOut, wOut2]) {
      const about = (f: any) => [f.conversationId, f.message?.conversationId, f.conversation?.id];
      const leaked = c.frames.filter((f) => about(f).includes(direct) || about(f).includes(group));
      expect(leaked).toEqual([]);
    }
  });
});
