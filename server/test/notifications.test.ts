import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { block, follow } from './graph-helpers.ts';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { makeClip, uploadClip, waitForVideo } from './media-fixtures.ts';
import { connectWs, type WsClient } from './ws-client.ts';

// Notifications from domain events (issue 12, acceptance 2): follows, likes, comments, mentions
// and shares reach the person as live `notification` frames and in GET /notifications; likes
// group; a kind turned off stops; read marks clear the count; a blocked person never notifies.
let s: TestServer;
let a: MadeUser;
let b: MadeUser;
let c: MadeUser;
let d: MadeUser;
let e: MadeUser;
let g: MadeUser;
let wb: WsClient;
let clipOfB: string;

async function clip(owner: MadeUser, caption: string) {
  const res = await uploadClip(s, owner.token, makeClip(), { caption, visibility: 'public' });
  expect(res.status).toBe(202);
  return (await waitForVideo(s, owner.token, res.body.video.id, (v) => v.status === 'ready')).id as string;
}

const inbox = async (u: MadeUser) => {
  const res = await s.api('GET', '/notifications', { token: u.token });
  expect(res.status).toBe(200);
  return res.body.items as any[];
};
const unread = async (u: MadeUser) => (await s.api('GET', '/notifications/unread-count', { token: u.token })).body.count as number;
/** Waits until every committed event has been handled (the relay is idle). */
const settled = () => s.worker!.idle();
const frameOf = (kind: string, actor: MadeUser) => (f: any) => f.type === 'notification' && f.notification.kind === kind && f.notification.actor?.id === actor.id;

beforeAll(async () => {
  s = await startTestServer();
  [a, b, c, d, e, g] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
  clipOfB = await clip(b, 'my clip');
  wb = await connectWs(s.url, { token: b.token });
});
afterAll(async () => {
  wb?.close();
  await s?.close();
});

describe('A follows, likes, comments, mentions and shares: B is told each (acceptance 2)', () => {
  it('a follow arrives live and in the inbox', async () => {
    await follow(s, a, b);
    const f = await wb.waitFor(frameOf('follow', a));
    expect(f.notification).toMatchObject({ kind: 'follow', actor: { id: a.id, username: a.username }, subject: { type: 'user', id: a.id }, readAt: null, url: `/u/${a.username}` });
    expect(f.notification.text).toBe(`${a.user.displayName} started following you`);
    expect(f.unreadCount).toBe(1);
    expect((await inbox(b))[0]).toMatchObject({ id: f.notification.id, kind: 'follow' });
  });

  it('likes from three people are one row: "A and 2 others liked your clip", with the clip\'s poster', async () => {
    for (const u of [c, d, a]) await s.api('PUT', `/videos/${clipOfB}/like`, { token: u.token });
    const last = await wb.waitFor(frameOf('like', a));
    expect(last.notification).toMatchObject({ kind: 'like', actorCount: 3, subject: { type: 'video', id: clipOfB }, url: `/video/${clipOfB}` });
    expect(last.notification.text).toBe(`${a.user.displayName} and 2 others liked your clip`);
    expect(last.notification.actors.map((u: any) => u.id)).toEqual([a.id, d.id, c.id]);
    expect(last.notification.thumbnailUrl).toMatch(/poster\.jpg$/);
    // Liking again after an unlike is the same person: counted once.
    await s.api('DELETE', `/videos/${clipOfB}/like`, { token: c.token });
    await s.api('PUT', `/videos/${clipOfB}/like`, { token: c.token });
    await settled();
    const likes = (await inbox(b)).filter((n) => n.kind === 'like');
    expect(likes).toHaveLength(1);
    expect(likes[0]).toMatchObject({ actorCount: 3, actor: { id: c.id } });
  });

  it('a comment arrives with its words; a comment naming @B on another clip is a mention', async () => {
    await s.api('POST', `/videos/${clipOfB}/comments`, { token: a.token, body: { text: 'love <this> one' } });
    const f = await wb.waitFor(frameOf('comment', a));
    expect(f.notification).toMatchObject({ subject: { type: 'video', id: clipOfB }, text: `${a.user.displayName} commented: love <this> one`, excerpt: 'love <this> one' });

    const clipOfA = await clip(a, `with @${b.username} at the beach`);
    const captionMention = await wb.waitFor(frameOf('mention', a));
    expect(captionMention.notification).toMatchObject({ subject: { type: 'video', id: clipOfA }, text: `${a.user.displayName} mentioned you in a clip` });

    await s.api('POST', `/videos/${clipOfA}/comments`, { token: a.token, body: { text: `@${b.username} look!` } });
    await wb.waitForCount(frameOf('mention', a), 2);
    const mentions = (await inbox(b)).filter((n) => n.kind === 'mention');
    expect(mentions.map((n) => n.text)).toEqual([`${a.user.displayName} mentioned you in a comment: @${b.username} look!`, `${a.user.displayName} mentioned you in a clip`]);
  });

  it('a clip shared to B arrives as a share (and, from someone not a friend, a message request)', async () => {
    const res = await s.api('POST', `/videos/${clipOfB}/shares`, { token: a.token, body: { userIds: [b.id] } });
    expect(res.status).toBe(200);
    const share = await wb.waitFor(frameOf('share', a));
    expect(share.notification).toMatchObject({ subject: { type: 'video', id: clipOfB }, text: `${a.user.displayName} sent you a clip` });
    const request = await wb.waitFor(frameOf('message_request', a));
    expect(request.notification).toMatchObject({ subject: { type: 'conversation', id: res.body.messages[0].conversationId } });
  });

  it('GET /notifications lists each once, newest first, and pages with a cursor', async () => {
    await settled();
    const all = await inbox(b);
    expect(all.map((n) => n.kind)).toEqual(['share', 'message_request', 'mention', 'mention', 'comment', 'like', 'follow']);
    const first = await s.api('GET', '/notifications?limit=3', { token: b.token });
    const rest = await s.api('GET', `/notifications?limit=10&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: b.token });
    expect([...first.body.items, ...rest.body.items].map((n: any) => n.id)).toEqual(all.map((n) => n.id));
    expect(rest.body.nextCursor).toBeNull();
    // Nobody else sees B's notifications, and no one is told about what they did themselves.
    expect(await inbox(a)).toEqual([]);
  });
});

describe('settings, read marks, blocks', () => {
  it('a kind turned off makes nothing; other kinds still arrive', async () => {
    const before = await s.api('GET', '/me/notification-settings', { token: b.token });
    expect(before.body.like).toEqual({ inApp: true, push: true });
    const patched = await s.api('PATCH', '/me/notification-settings', { token: b.token, body: { like: { inApp: false } } });
    expect(patched.status).toBe(200);
    expect(patched.body.like).toEqual({ inApp: false, push: true });
    expect(patched.body.follow).toEqual({ inApp: true, push: true });

    await s.api('PUT', `/videos/${clipOfB}/like`, { token: e.token });
    await follow(s, e, b);
    await wb.waitFor(frameOf('follow', e));
    await settled();
    expect(wb.frames.some(frameOf('like', e))).toBe(false);
    const likes = (await inbox(b)).filter((n) => n.kind === 'like');
    expect(likes[0].actorCount).toBe(3);
    // The follows group too: the latest follower first.
    const follows = (await inbox(b)).filter((n) => n.kind === 'follow');
    expect(follows).toHaveLength(1);
    expect(follows[0]).toMatchObject({ actorCount: 2, actor: { id: e.id }, text: `${e.user.displayName} and 1 other started following you` });
  });

  it('read marks: up to a row, then all; the count follows', async () => {
    const all = await inbox(b);
    expect(await unread(b)).toBe(all.length);
    const middle = all[3];
    expect((await s.api('POST', '/notifications/read', { token: b.token, body: { upToId: middle.id } })).status).toBe(204);
    expect(await unread(b)).toBe(3);
    const after = await inbox(b);
    expect(after.slice(3).every((n) => n.readAt !== null)).toBe(true);
    expect(after.slice(0, 3).every((n) => n.readAt === null)).toBe(true);
    // Someone else's notification is not yours to mark.
    expect((await s.api('POST', '/notifications/read', { token: a.token, body: { upToId: middle.id } })).status).toBe(404);
    expect((await s.api('POST', '/notifications/read', { token: b.token })).status).toBe(204);
    expect(await unread(b)).toBe(0);
  });

  it('a like after the group was read starts a new row', async () => {
    await s.api('PATCH', '/me/notification-settings', { token: b.token, body: { like: { inApp: true } } });
    await s.api('PUT', `/videos/${clipOfB}/like`, { token: g.token });
    const f = await wb.waitFor(frameOf('like', g));
    expect(f.notification).toMatchObject({ actorCount: 1, readAt: null });
    expect(f.unreadCount).toBe(1);
    expect((await inbox(b)).filter((n) => n.kind === 'like')).toHaveLength(2);
  });

  it('a blocked person never notifies, and what they did before disappears', async () => {
    await block(s, b, g);
    expect((await inbox(b)).some((n) => n.actors.some((u: any) => u.id === g.id))).toBe(false);
    expect(await unread(b)).toBe(0);
    // G can no longer follow B or see B's clip; G names B in a comment on G's own clip: nothing.
    expect((await s.api('PUT', `/users/${b.id}/follow`, { token: g.token })).status).toBe(404);
    const clipOfG = await clip(g, `hello @${b.username}`);
    await s.api('POST', `/videos/${clipOfG}/comments`, { token: g.token, body: { text: `@${b.username} hi` } });
    await settled();
    expect(wb.frames.some((f) => f.type === 'notification' && f.notification.actor?.id === g.id && f.notification.kind !== 'like')).toBe(false);
    expect((await inbox(b)).some((n) => n.actors.some((u: any) => u.id === g.id))).toBe(false);
    // Someone B blocked, named in a comment on B's clip, is not told: they may not see the clip.
    await block(s, b, d);
    await s.api('POST', `/videos/${clipOfB}/comments`, { token: c.token, body: { text: `ping @${d.username}` } });
    await settled();
    expect(await inbox(d)).toEqual([]);
  });

  it('bad input is a 400 that names the field', async () => {
    const bad = await s.api('PATCH', '/me/notification-settings', { token: b.token, body: { nonsense: { inApp: false } } });
    expect(bad.status).toBe(400);
    expect((await s.api('POST', '/notifications/read', { token: b.token, body: { upToId: 'x' } })).status).toBe(400);
    expect((await s.api('GET', '/notifications?cursor=nope', { token: b.token })).status).toBe(400);
    expect((await s.api('GET', '/notifications')).status).toBe(401);
  });

  it('an event delivered again (its relay died after the handler committed, before marking it done) notifies no one twice', async () => {
    const comments = async () => (await inbox(b)).filter((n) => n.kind === 'comment').length;
    await s.api('POST', `/videos/${clipOfB}/comments`, { token: c.token, body: { text: 'once only' } });
    await settled();
    const before = await comments();
    // What a relay killed at that moment leaves behind: the event pending again, its lease run out.
    const redo = await sql`UPDATE domain_events SET done_at = NULL, claimed_until = NULL
                            WHERE id = (SELECT max(id) FROM domain_events WHERE type = 'comment.created') RETURNING id`.execute(s.ctx.db);
    expect(redo.rows).toHaveLength(1);
    await settled();
    expect(await comments()).toBe(before);
    const again = await sql<{ done: boolean }>`SELECT done_at IS NOT NULL AS done FROM domain_events WHERE id = ${(redo.rows[0] as { id: string }).id}`.execute(s.ctx.db);
    expect(again.rows[0]?.done).toBe(true);
  });
});
