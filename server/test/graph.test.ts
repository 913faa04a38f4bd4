import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, type MadeUser, startTestServer, type TestServer } from './harness.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const follow = (a: MadeUser, b: MadeUser) => s.api('PUT', `/users/${b.id}/follow`, { token: a.token });
const ids = (body: { items: Array<{ id: string }> }) => body.items.map((u) => u.id);

describe(`graph (${engine})`, () => {
  it('following back makes friends on both sides; unfollowing undoes it; counts follow', async () => {
    const a = await s.make.user();
    const b = await s.make.user();
    const frames: unknown[] = [];
    const off = await s.ctx.pubsub.subscribe(`user:${b.id}`, (p) => frames.push(p));
    const r1 = await follow(a, b);
    expect(r1.status).toBe(200);
    expect(r1.body.relationship).toEqual({ following: true, followedBy: false, friends: false, blocked: false, requested: false });
    // Follow frames are made from the domain event after commit: wait until the relay is idle.
    await s.worker!.idle();
    expect(frames).toContainEqual(expect.objectContaining({ type: 'follow.new', user: expect.objectContaining({ id: a.id }) }));
    await off();
    const r2 = await follow(b, a);
    expect(r2.body.relationship).toMatchObject({ following: true, followedBy: true, friends: true });
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const friends = await s.api('GET', `/users/${x.id}/friends`, { token: x.token });
      expect(friends.status).toBe(200);
      expect(ids(friends.body)).toEqual([y.id]);
      expect(friends.body.items[0].relationship.friends).toBe(true);
      const profile = await s.api('GET', `/users/${y.username}`, { token: x.token });
      expect(profile.body.relationship.friends).toBe(true);
      expect(profile.body.counts).toMatchObject({ followers: 1, following: 1, friends: 1 });
    }
    const un = await s.api('DELETE', `/users/${b.id}/follow`, { token: a.token });
    expect(un.body.relationship).toEqual({ following: false, followedBy: true, friends: false, blocked: false, requested: false });
    expect(ids((await s.api('GET', `/users/${b.id}/friends`, { token: b.token })).body)).toEqual([]);
    expect(ids((await s.api('GET', `/users/${b.id}/following`, { token: b.token })).body)).toEqual([a.id]);
    expect(ids((await s.api('GET', `/users/${a.id}/followers`, { token: b.token })).body)).toEqual([b.id]);
  });

  it('pages followers newest first with keyset cursors', async () => {
    const star = await s.make.user();
    const fans: MadeUser[] = [];
    for (let i = 0; i < 5; i++) {
      const f = await s.make.user();
      await follow(f, star);
      fans.push(f);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await s.api('GET', `/users/${star.id}/followers?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: star.token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(fans.map((f) => f.id).reverse());
    expect((await s.api('GET', `/users/${star.id}/followers?cursor=garbage`)).status).toBe(400);
    expect((await s.api('GET', `/users/${star.id}/followers?limit=101`)).status).toBe(400);
  });

  it('pages friends newest first, skipping one-way follows', async () => {
    const me = await s.make.user();
    const expected: string[] = [];
    for (let i = 0; i < 5; i++) {
      const other = await s.make.user();
      await follow(me, other);
      if (i !== 2) {
        await follow(other, me);
        expected.unshift(other.id);
      }
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await s.api('GET', `/users/${me.id}/friends?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: me.token });
      expect(res.status).toBe(200);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it('a private account gets requests, accepts or declines them, and hides its lists from non-followers', async () => {
    const p = await s.make.user();
    await s.api('PATCH', '/me/settings', { token: p.token, body: { privateAccount: true } });
    const a = await s.make.user();
    const b = await s.make.user();
    const frames: any[] = [];
    const off = await s.ctx.pubsub.subscribe(`user:${p.id}`, (f) => frames.push(f));
    const ra = await follow(a, p);
    expect(ra.body.relationship).toMatchObject({ following: false, requested: true });
    await follow(b, p);
    await s.worker!.idle();
    // (Each request also makes a `notification` frame, from the event relay: docs/notifications.md.)
    expect(frames.map((f) => f.type).filter((t) => t !== 'notification')).toEqual(['follow.request', 'follow.request']);
    await off();
    for (const kind of ['followers', 'following', 'friends']) {
      const res = await s.api('GET', `/users/${p.id}/${kind}`, { token: a.token });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('private_account');
    }
    expect((await s.api('GET', `/users/${p.id}/followers`)).status).toBe(403);
    const reqs = await s.api('GET', '/me/follow-requests', { token: p.token });
    expect(reqs.body.items.map((r: any) => r.user.id)).toEqual([b.id, a.id]);
    const framesOfA: any[] = [];
    const offA = await s.ctx.pubsub.subscribe(`user:${a.id}`, (f) => framesOfA.push(f));
    const acc = await s.api('POST', `/me/follow-requests/${a.id}/accept`, { token: p.token });
    expect(acc.status).toBe(200);
    expect(acc.body.relationship.followedBy).toBe(true);
    await s.worker!.idle();
    // The requester hears that they were let in, with the relationship as it is now.
    expect(framesOfA).toContainEqual(expect.objectContaining({ type: 'follow.accepted', user: expect.objectContaining({ id: p.id }), relationship: expect.objectContaining({ following: true }) }));
    await offA();
    const dec = await s.api('POST', `/me/follow-requests/${b.id}/decline`, { token: p.token });
    expect(dec.status).toBe(200);
    expect((await s.api('POST', `/me/follow-requests/${b.id}/accept`, { token: p.token })).status).toBe(404);
    expect((await s.api('GET', '/me/follow-requests', { token: p.token })).body.items).toEqual([]);
    const asA = await s.api('GET', `/users/${p.id}/followers`, { token: a.token });
    expect(asA.status).toBe(200);
    expect(ids(asA.body)).toEqual([a.id]);
    expect((await s.api('GET', `/users/${p.id}/followers`, { token: b.token })).status).toBe(403);
    const bRel = await s.api('GET', `/users/${p.username}`, { token: b.token });
    expect(bRel.body.relationship).toMatchObject({ following: false, requested: false });
  });

  it('after A blocks B: 404s for B, A gone from search and suggestions, no follows, B cannot follow', async () => {
    const a = await s.make.user({ displayName: 'Blocky Person' });
    const b = await s.make.user();
    const mutual = await s.make.user();
    await follow(a, b);
    await follow(b, a);
    // A is a friend of B's friend: a suggestion for B until the block.
    await follow(a, mutual);
    await follow(mutual, a);
    await follow(b, mutual);
    await follow(mutual, b);
    await s.api('DELETE', `/users/${a.id}/follow`, { token: b.token });
    await s.api('DELETE', `/users/${b.id}/follow`, { token: a.token });
    const before = await s.api('GET', '/me/suggestions', { token: b.token });
    expect(before.body.items.map((x: any) => x.user.id)).toContain(a.id);
    await follow(a, b);
    await follow(b, a);

    const blocked = await s.api('PUT', `/users/${b.id}/block`, { token: a.token });
    expect(blocked.status).toBe(200);
    expect(blocked.body.relationship).toEqual({ following: false, followedBy: false, friends: false, blocked: true, requested: false });
    expect((await s.api('GET', `/users/${a.username}`, { token: b.token })).status).toBe(404);
    expect((await s.api('GET', `/users/${b.username}`, { token: a.token })).status).toBe(404);
    for (const kind of ['followers', 'following', 'friends']) {
      expect((await s.api('GET', `/users/${a.id}/${kind}`, { token: b.token })).status).toBe(404);
    }
    const search = await s.api('GET', `/users/search?q=${a.username}`, { token: b.token });
    expect(search.status).toBe(200);
    expect(ids(search.body)).not.toContain(a.id);
    expect(ids((await s.api('GET', `/users/search?q=${a.username}`, { token: mutual.token })).body)).toContain(a.id);
    const after = await s.api('GET', '/me/suggestions', { token: b.token });
    expect(after.body.items.map((x: any) => x.user.id)).not.toContain(a.id);
    expect(ids((await s.api('GET', `/users/${mutual.id}/friends`, { token: b.token })).body)).not.toContain(a.id);
    const again = await follow(b, a);
    expect(again.status).toBe(404);
    expect((await s.api('PUT', `/users/${a.id}/mute`, { token: b.token })).status).toBe(404);
    const aCounts = await s.api('GET', `/users/${a.username}`, { token: mutual.token });
    expect(aCounts.body.counts).toMatchObject({ followers: 1, following: 1, friends: 1 });

    // A's block list is the one place B still appears (to be unblocked); B's list is empty.
    const c = await s.make.user();
    await s.api('PUT', `/users/${c.id}/block`, { token: a.token });
    const list = await s.api('GET', '/me/blocks?limit=1', { token: a.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: any) => x.user.id)).toEqual([c.id]);
    expect(list.body.items[0].blockedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const next = await s.api('GET', `/me/blocks?limit=1&cursor=${list.body.nextCursor}`, { token: a.token });
    expect(next.body.items.map((x: any) => x.user.id)).toEqual([b.id]);
    expect(next.body.nextCursor).toBeNull();
    expect((await s.api('GET', '/me/blocks', { token: b.token })).body.items).toEqual([]);
    expect((await s.api('GET', '/me/blocks')).status).toBe(401);
    // A cursor this server did not give out is a 400, not a query with a malformed timestamp.
    const forged = Buffer.from(JSON.stringify(['not a time', b.id])).toString('base64url');
    const bad = await s.api('GET', `/me/blocks?cursor=${forged}`, { token: a.token });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_cursor');

    const unblock = await s.api('DELETE', `/users/${b.id}/block`, { token: a.token });
    expect(unblock.body.relationship.blocked).toBe(false);
    expect((await s.api('GET', '/me/blocks', { token: a.token })).body.items.map((x: any) => x.user.id)).toEqual([c.id]);
    expect((await s.api('GET', `/users/${a.username}`, { token: b.token })).status).toBe(200);
    expect((await follow(b, a)).body.relationship.following).toBe(true);
  });

  it('mutes quietly and validates ids', async () => {
    const a = await s.make.user();
    const b = await s.make.user();
    const m = await s.api('PUT', `/users/${b.id}/mute`, { token: a.token });
    expect(m.status).toBe(200);
    expect(m.body.muted).toBe(true);
    expect((await s.api('GET', `/users/${a.username}`, { token: b.token })).body.relationship.followedBy).toBe(false);
    expect((await s.api('DELETE', `/users/${b.id}/mute`, { token: a.token })).body.muted).toBe(false);
    const self = await follow(a, a);
    expect(self.status).toBe(400);
    expect(self.body.errors[0].field).toBe('id');
    const bad = await s.api('PUT', '/users/abc/follow', { token: a.token });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('id');
    expect((await s.api('PUT', '/users/999999999/follow', { token: a.token })).status).toBe(404);
    expect((await s.api('PUT', `/users/${b.id}/follow`)).status).toBe(401);
  });

  it('suggests friends of friends, followers and people many friends follow, with reasons; never followed or dismissed', async () => {
    const me = await s.make.user();
    const f1 = await s.make.user();
    const f2 = await s.make.user();
    const fof = await s.make.user();
    const fan = await s.make.user();
    const popular = await s.make.user();
    for (const f of [f1, f2]) {
      await follow(me, f);
      await follow(f, me);
      await follow(f, fof);
      await follow(fof, f);
      await follow(f, popular);
    }
    await follow(fan, me);
    const res = await s.api('GET', '/me/suggestions', { token: me.token });
    expect(res.status).toBe(200);
    const byId = new Map(res.body.items.map((x: any) => [x.user.id, x]));
    expect((byId.get(fof.id) as any).reasons).toContain('2 mutual friends');
    expect((byId.get(fan.id) as any).reasons).toContain('Follows you');
    expect((byId.get(popular.id) as any).reasons).toContain('Followed by 2 of your friends');
    expect(res.body.items[0].user.id).toBe(fof.id);
    expect(byId.has(me.id) || byId.has(f1.id) || byId.has(f2.id)).toBe(false);
    const scores = res.body.items.map((x: any) => x.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);

    expect((await s.api('POST', `/me/suggestions/${fan.id}/dismiss`, { token: me.token })).status).toBe(204);
    await follow(me, popular);
    const after = await s.api('GET', '/me/suggestions', { token: me.token });
    const left = after.body.items.map((x: any) => x.user.id);
    expect(left).toContain(fof.id);
    expect(left).not.toContain(fan.id);
    expect(left).not.toContain(popular.id);
  });
});
