import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, block } from './graph-helpers.ts';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { makeClip, uploadClip, waitForVideo } from './media-fixtures.ts';
import { connectWs, type WsClient } from './ws-client.ts';

// Sharing clips into conversations, share cards, the share sheet's ranking and the public
// /v/:id page (issue 6, acceptance 1–4).
let s: TestServer;
let author: MadeUser;
let b: MadeUser;
let c: MadeUser;
let d: MadeUser;
let stranger: MadeUser;
const sockets: WsClient[] = [];

const CAPTION = 'Sunset <b>secret</b> & "quotes" #loop';

async function clip(owner: MadeUser, visibility: 'public' | 'friends' | 'private', caption = CAPTION) {
  const res = await uploadClip(s, owner.token, makeClip(), { caption, visibility });
  expect(res.status).toBe(202);
  return waitForVideo(s, owner.token, res.body.video.id);
}

const shares = (id: string) => s.api('GET', `/videos/${id}`, { token: author.token }).then((r) => r.body.video.counts.shares as number);
const history = async (u: MadeUser, conversationId: string) => (await s.api('GET', `/conversations/${conversationId}/messages`, { token: u.token })).body.items as any[];
const share = (u: MadeUser, videoId: string, body: unknown) => s.api('POST', `/videos/${videoId}/shares`, { token: u.token, body });

beforeAll(async () => {
  s = await startTestServer();
  [author, b, c, d, stranger] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
  for (const f of [b, c, d]) await befriend(s, author, f);
  await befriend(s, b, c);
});
afterAll(async () => {
  for (const ws of sockets) ws.close();
  await s?.close();
});

describe('POST /videos/:id/shares (acceptance 1)', () => {
  it('shares to three friends and one group in one request: one message each, live over the WebSocket, counted', async () => {
    const video = await clip(author, 'public');
    const group = (await s.api('POST', '/conversations', { token: author.token, body: { memberIds: [b.id, c.id], title: 'Crew' } })).body.conversation;
    const [wb, wc, wd] = await Promise.all([b, c, d].map((u) => connectWs(s.url, { token: u.token })));
    sockets.push(wb!, wc!, wd!);
    const before = await shares(video.id);

    const res = await share(author, video.id, { userIds: [b.id, c.id, d.id], conversationIds: [group.id], note: 'look at this', clientShareId: 'share-one' });
    expect(res.status).toBe(200);
    const messages = res.body.messages as any[];
    expect(messages).toHaveLength(4);
    expect(new Set(messages.map((m) => m.conversationId)).size).toBe(4);
    for (const m of messages) {
      expect(m).toMatchObject({ senderId: author.id, text: 'look at this', share: { type: 'video', id: video.id, status: 'available' } });
      expect(m.share.card).toMatchObject({ id: video.id, caption: CAPTION, author: { id: author.id }, durationMs: expect.any(Number), posterUrl: expect.any(String), hlsUrl: expect.any(String) });
      expect(m.share.card.url).toBe(`${s.ctx.config.publicUrl}/v/${video.id}`);
    }
    // B and C are in the group and each has a direct conversation: two live messages each; D one.
    const isShare = (f: any) => f.type === 'message' && f.message.share?.id === video.id;
    for (const [ws, n] of [[wb!, 2], [wc!, 2], [wd!, 1]] as const) {
      const got = await ws.waitForCount(isShare, n);
      for (const f of got) expect(f.message.share).toMatchObject({ status: 'available', card: { caption: CAPTION } });
    }
    expect(await shares(video.id)).toBe(before + 4);

    // A retry with the same clientShareId sends nothing new and answers with the same messages.
    const again = await share(author, video.id, { userIds: [b.id, c.id, d.id], conversationIds: [group.id], note: 'look at this', clientShareId: 'share-one' });
    expect(again.status).toBe(200);
    expect(again.body.messages.map((m: any) => m.id).sort()).toEqual(messages.map((m) => m.id).sort());
    expect(await shares(video.id)).toBe(before + 4);
    expect((await history(author, group.id)).filter((m) => m.share)).toHaveLength(1);

    // Reusing a clientShareId for another clip is a conflict, not a silent replay.
    const other = await clip(author, 'public', 'other');
    const reused = await share(author, other.id, { userIds: [b.id], clientShareId: 'share-one' });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('client_share_id_reused');
  });

  it('sends to a new group when asked, and a non-friend gets a message request', async () => {
    const video = await clip(author, 'public');
    const res = await share(author, video.id, { userIds: [b.id, d.id], asGroup: true, groupTitle: 'New crew' });
    expect(res.status).toBe(200);
    expect(res.body.messages).toHaveLength(1);
    const conv = (await s.api('GET', `/conversations/${res.body.messages[0].conversationId}`, { token: d.token })).body.conversation;
    expect(conv).toMatchObject({ kind: 'group', title: 'New crew' });

    const toStranger = await share(author, video.id, { userIds: [stranger.id] });
    expect(toStranger.status).toBe(200);
    const requests = (await s.api('GET', '/conversations?folder=requests', { token: stranger.token })).body.items;
    expect(requests.map((r: any) => r.id)).toContain(toStranger.body.messages[0].conversationId);
  });

  it('applies the messaging rules to every conversation, all or nothing, and keeps seqs gap-free under concurrent shares', async () => {
    const video = await clip(author, 'public');
    const [p, q, r] = await Promise.all([s.make.user(), s.make.user(), s.make.user()]);
    for (const u of [p!, q!]) await befriend(s, author, u);
    const open = async (u: MadeUser) => (await s.api('POST', '/conversations', { token: author.token, body: { memberIds: [u.id] } })).body.conversation.id as string;
    const cp = await open(p!);
    const cq = await open(q!);
    const cr = await open(r!); // r is a stranger: a request they have not answered
    const group = (await s.api('POST', '/conversations', { token: author.token, body: { memberIds: [p!.id, q!.id], title: 'PQ' } })).body.conversation.id as string;
    const before = await shares(video.id);

    // r stops taking messages: a share that includes them sends nothing anywhere.
    await s.api('PATCH', '/me/settings', { token: r!.token, body: { dmPolicy: 'nobody' } });
    const refused = await share(author, video.id, { conversationIds: [cp, cr] });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('messaging_not_allowed');
    expect(await history(author, cp)).toEqual([]);
    expect(await shares(video.id)).toBe(before);

    // Shares racing each other (conversations named in opposite orders) and plain messages into the
    // same conversations: none deadlocks, each conversation's seqs run 1..n without a gap or a repeat.
    const sends = [
      share(author, video.id, { conversationIds: [cp, cq, group] }),
      share(author, video.id, { conversationIds: [group, cq, cp] }),
      share(author, video.id, { conversationIds: [cq, group] }),
      ...[cp, cq, group].map((cid, n) => s.api('POST', `/conversations/${cid}/messages`, { token: author.token, body: { clientMsgId: `race-${n}`, text: 'hi' } })),
      share(author, video.id, { conversationIds: [cp, group, cq], note: 'again' }),
    ];
    const results = await Promise.all(sends);
    expect(results.map((x) => x.status)).toEqual([200, 200, 200, 201, 201, 201, 200]);
    for (const [cid, n] of [[cp, 4], [cq, 5], [group, 5]] as const) {
      const items = await history(author, cid);
      expect(items.map((m) => m.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(items.filter((m) => m.share).length).toBe(n - 1);
    }
    // Every share message answered its sender with its own conversation's seq.
    const answered = results.filter((x) => x.body.messages).flatMap((x) => x.body.messages as any[]);
    expect(new Set(answered.map((m) => `${m.conversationId}:${m.seq}`)).size).toBe(answered.length);
    expect(await shares(video.id)).toBe(before + 11);

    // q blocks p: p passing the clip on to the author and to q is refused whole, as if q did not exist.
    const pq = (await s.api('POST', '/conversations', { token: p!.token, body: { memberIds: [q!.id] } })).body.conversation.id as string;
    await block(s, q!, p!);
    const blocked = await share(p!, video.id, { conversationIds: [cp, pq] });
    expect(blocked.status).toBe(404);
    expect(blocked.body.code).toBe('user_not_found');
    expect((await history(author, cp)).length).toBe(4);
    expect(await shares(video.id)).toBe(before + 11);
  });

  it('refuses bad input with the field and changes nothing', async () => {
    const video = await clip(author, 'public');
    const before = await shares(video.id);
    for (const [body, field] of [
      [{}, 'conversationIds'],
      [{ userIds: ['abc'] }, 'userIds.0'],
      [{ userIds: [b.id], note: '' }, 'note'],
      [{ userIds: [b.id], asGroup: true }, 'userIds'],
      [{ userIds: [b.id], clientShareId: 'bad id!' }, 'clientShareId'],
    ] as const) {
      const res = await share(author, video.id, body);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    }
    expect((await share(author, video.id, { userIds: [author.id] })).status).toBe(400);
    // A conversation the sharer is not in is "not found", like any hidden object.
    const theirs = (await s.api('POST', '/conversations', { token: b.token, body: { memberIds: [c.id] } })).body.conversation;
    expect((await share(author, video.id, { conversationIds: [theirs.id] })).status).toBe(404);
    expect((await share(author, '999999999', { userIds: [b.id] })).status).toBe(404);
    expect((await s.api('POST', `/videos/${video.id}/shares`, { body: { userIds: [b.id] } })).status).toBe(401);
    expect(await shares(video.id)).toBe(before);
  });
});

describe('visibility and the author\'s settings (acceptance 2)', () => {
  it('a friends-only clip cannot be shared with a non-friend, not even inside a group with one', async () => {
    const video = await clip(author, 'friends');
    const before = await shares(video.id);
    const res = await share(author, video.id, { userIds: [stranger.id] });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('share_not_allowed');
    // B (a friend of the author) cannot pass it on to their own friend E, who is not the author's friend.
    const e = await s.make.user();
    await befriend(s, b, e);
    expect((await share(b, video.id, { userIds: [e.id] })).status).toBe(403);
    expect((await share(b, video.id, { userIds: [c.id] })).status).toBe(200);
    expect(await shares(video.id)).toBe(before + 1);
    // The stranger got no conversation out of the refused share.
    expect((await s.api('GET', '/conversations?folder=requests', { token: stranger.token })).body.items.every((r: any) => !r.lastMessage?.share || r.lastMessage.share.id !== video.id)).toBe(true);
  });

  it('the author can turn sharing off; others then get 403', async () => {
    const video = await clip(author, 'public');
    expect((await s.api('PATCH', `/videos/${video.id}/sharing`, { token: b.token, body: { allowSharing: false } })).status).toBe(403);
    expect((await s.api('PATCH', `/videos/${video.id}/sharing`, { token: author.token, body: { allowSharing: false } })).body).toEqual({ allowSharing: false });
    const res = await share(b, video.id, { userIds: [c.id] });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('sharing_disabled');
    expect((await s.api('GET', `/videos/${video.id}/sharing`, { token: b.token })).body.allowSharing).toBe(false);
    await s.api('PATCH', `/videos/${video.id}/sharing`, { token: author.token, body: { allowSharing: true } });
    expect((await share(b, video.id, { userIds: [c.id] })).status).toBe(200);
  });

  it('a recipient who loses access sees the card as unavailable, with nothing of the clip anywhere', async () => {
    const friendsOnly = await clip(author, 'friends', 'friends only SECRET-A');
    const toBlock = await clip(author, 'public', 'public SECRET-B');
    const toHide = await clip(author, 'public', 'public SECRET-C');
    const toDelete = await clip(author, 'public', 'public SECRET-D');
    const goesPrivate = await clip(author, 'public', 'public SECRET-E');
    const [u1, u2, u3, u4, u5] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
    for (const u of [u1!, u2!, u3!, u4!]) await befriend(s, author, u);
    const sent = async (u: MadeUser, v: any) => (await share(author, v.id, { userIds: [u.id] })).body.messages[0].conversationId as string;
    const cases: Array<[MadeUser, any, string, () => Promise<unknown>]> = [
      [u1!, friendsOnly, 'SECRET-A', () => s.api('DELETE', `/users/${author.id}/follow`, { token: u1!.token })],
      [u2!, toBlock, 'SECRET-B', () => block(s, author, u2!)],
      [u3!, toHide, 'SECRET-C', () => s.api('PATCH', `/videos/${toHide.id}`, { token: author.token, body: { visibility: 'private' } })],
      [u4!, toDelete, 'SECRET-D', () => s.api('DELETE', `/videos/${toDelete.id}`, { token: author.token })],
      // u5 does not follow the author: once the account is private, its clips are for followers only.
      [u5!, goesPrivate, 'SECRET-E', () => s.api('PATCH', '/me/settings', { token: author.token, body: { privateAccount: true } })],
    ];
    for (const [u, v, secret, revoke] of cases) {
      const cid = await sent(u, v);
      const ws = await connectWs(s.url, { token: u.token, hello: { [cid]: 0 } });
      sockets.push(ws);
      expect((await history(u, cid))[0].share).toMatchObject({ status: 'available' });
      await revoke();
      const items = await history(u, cid);
      expect(items[0].share).toEqual({ type: 'video', id: v.id, status: 'unavailable', card: null });
      expect(JSON.stringify(items)).not.toContain(secret);
      // The conversation list's last message and a fresh WebSocket catch-up say the same.
      const list = await s.api('GET', '/conversations', { token: u.token });
      expect(JSON.stringify(list.body)).not.toContain(secret);
      const fresh = await connectWs(s.url, { token: u.token, hello: { [cid]: 0 } });
      sockets.push(fresh);
      const replayed = await fresh.waitFor((f) => f.type === 'message' && f.message.conversationId === cid);
      expect(replayed.message.share.status).toBe('unavailable');
      expect(JSON.stringify(fresh.frames)).not.toContain(secret);
      // The public page is a 404 for them, and so is the API.
      const page = await fetch(`${s.url}/v/${v.id}`, { headers: { authorization: `Bearer ${u.token}` } });
      expect(page.status).toBe(404);
      expect(await page.text()).not.toContain(secret);
      expect((await s.api('GET', `/videos/${v.id}`, { token: u.token })).status).toBe(404);
    }
    // Friends (approved followers) still see the private account's clip in their cards.
    const friendCid = await sent(u3!, goesPrivate);
    expect((await history(u3!, friendCid)).at(-1).share).toMatchObject({ status: 'available' });
    expect((await s.api('PATCH', '/me/settings', { token: author.token, body: { privateAccount: false } })).status).toBe(200);
  });

  it('a Loop link pasted into a chat becomes a card (only for clips the sender may see)', async () => {
    const video = await clip(author, 'public', 'linked clip');
    const secret = await clip(author, 'private', 'private PASTE-SECRET');
    const conv = (await s.api('POST', '/conversations', { token: b.token, body: { memberIds: [c.id] } })).body.conversation;
    const text = `lol ${s.ctx.config.publicUrl}/v/${video.id} watch`;
    const res = await s.api('POST', `/conversations/${conv.id}/messages`, { token: b.token, body: { clientMsgId: 'paste-1', text } });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ text, share: { type: 'video', id: video.id, status: 'available', card: { caption: 'linked clip' } } });
    const hidden = await s.api('POST', `/conversations/${conv.id}/messages`, { token: b.token, body: { clientMsgId: 'paste-2', text: `${s.ctx.config.publicUrl}/v/${secret.id}` } });
    expect(hidden.status).toBe(201);
    expect(hidden.body.message.share).toBeNull();
  });
});

describe('GET /v/:id (acceptance 3)', () => {
  const og = (html: string, key: string) => {
    const m = new RegExp(`<meta (?:property|name)="${key.replace(':', ':')}" content="([^"]*)">`).exec(html);
    return m ? m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'") : null;
  };

  it('serves Open Graph tags a link-preview fetcher reads, with no account, and escapes everything', async () => {
    const video = await clip(author, 'public', '<script>alert(1)</script> "hi" & bye');
    const res = await fetch(`${s.url}/v/${video.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline scripts
    expect(og(html, 'og:type')).toBe('video.other');
    expect(og(html, 'og:title')).toContain(author.username);
    expect(og(html, 'og:description')).toBe('<script>alert(1)</script> "hi" & bye');
    expect(og(html, 'og:url')).toBe(`${s.ctx.config.publicUrl}/v/${video.id}`);
    expect(og(html, 'twitter:card')).toBe('summary_large_image');
    expect(Number(og(html, 'og:image:width'))).toBe(video.width);
    expect(og(html, 'og:video:type')).toBe('application/x-mpegURL');
    // The image and the video the tags point at are fetchable without an account.
    const base = s.ctx.config.publicUrl;
    const image = og(html, 'og:image')!;
    const hls = og(html, 'og:video')!;
    expect(image.startsWith(`${base}/`)).toBe(true);
    expect(hls.startsWith(`${base}/`)).toBe(true);
    const img = await fetch(s.url + image.slice(base.length));
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    const playlist = await fetch(s.url + hls.slice(base.length));
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toContain('#EXTM3U');
    // The page's script and the player library are same-origin files.
    expect(html).toContain('<script src="/v/assets/share-page.js" defer></script>');
    expect((await fetch(`${s.url}/v/assets/share-page.js`)).status).toBe(200);
    expect((await fetch(`${s.url}/v/assets/hls.js`)).status).toBe(200);
  });

  it('is the same small 404 page for private and friends-only clips to strangers as for no clip; friends may see friends-only ones', async () => {
    const priv = await clip(author, 'private', 'PRIVATE-PAGE-SECRET');
    const friends = await clip(author, 'friends', 'FRIENDS-PAGE-SECRET');
    const bodies = new Set<string>();
    for (const id of [priv.id, friends.id, '99999999', 'abc']) {
      for (const headers of [{}, { authorization: `Bearer ${stranger.token}` }] as Array<Record<string, string>>) {
        const res = await fetch(`${s.url}/v/${id}`, { headers });
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toContain('text/html');
        expect(res.headers.get('cache-control')).toBe('no-store');
        bodies.add(await res.text());
      }
    }
    // One page for every case: it gives away nothing about which clips exist.
    expect(bodies.size).toBe(1);
    const page = [...bodies][0]!;
    expect(page).toContain('This clip isn’t available');
    expect(page).toContain('<a class="open" href="/">Go to Loop</a>');
    expect(page).toContain('<link rel="stylesheet" href="/v/assets/share-page.css">');
    expect(page).not.toMatch(/SECRET|<script/);
    const asFriend = await fetch(`${s.url}/v/${friends.id}`, { headers: { authorization: `Bearer ${b.token}` } });
    expect(asFriend.status).toBe(200);
    expect(await asFriend.text()).toContain('FRIENDS-PAGE-SECRET');
    expect(asFriend.headers.get('cache-control')).toBe('private, no-store');
  });
});

describe('GET /me/share-targets (acceptance 4)', () => {
  it('ranks people and groups by your own sharing and chatting, decayed, then other friends; search narrows it', async () => {
    const me = await s.make.user();
    const names = ['zed', 'yan', 'xia', 'wes', 'vic'];
    const [p1, p2, p3, p4, p5] = await Promise.all(names.map((n) => s.make.user({ displayName: `Friend ${n}` })));
    for (const p of [p1!, p2!, p3!, p4!, p5!]) await befriend(s, me, p);
    const video = await clip(me, 'public', 'ranking clip');
    const direct = async (p: MadeUser) => (await s.api('POST', '/conversations', { token: me.token, body: { memberIds: [p.id] } })).body.conversation.id as string;
    const say = async (cid: string, n: number) => {
      for (let i = 0; i < n; i++) await s.api('POST', `/conversations/${cid}/messages`, { token: me.token, body: { clientMsgId: `r-${cid}-${i}-${Math.random()}`, text: 'hey' } });
    };
    // p1: two shares (3 each) → the front. Group: one share. p2: two messages. p3: one message.
    // p4: four shares and their messages, but 40 days ago: decayed to almost nothing (half-life 7 days).
    for (let i = 0; i < 2; i++) expect((await share(me, video.id, { userIds: [p1!.id] })).status).toBe(200);
    const group = (await s.api('POST', '/conversations', { token: me.token, body: { memberIds: [p2!.id, p3!.id], title: 'Book club' } })).body.conversation.id;
    expect((await share(me, video.id, { conversationIds: [group] })).status).toBe(200);
    await say(await direct(p2!), 2);
    await say(await direct(p3!), 1);
    const c4 = await direct(p4!);
    for (let i = 0; i < 4; i++) expect((await share(me, video.id, { conversationIds: [c4] })).status).toBe(200);
    // Age p4's history (the only way to test decay without waiting weeks).
    await sql`UPDATE video_shares SET created_at = now() - interval '40 days' WHERE conversation_id = ${c4}`.execute(s.ctx.db);
    await sql`UPDATE messages SET created_at = now() - interval '40 days' WHERE conversation_id = ${c4}`.execute(s.ctx.db);

    const res = await s.api('GET', '/me/share-targets', { token: me.token });
    expect(res.status).toBe(200);
    const order = res.body.items.map((t: any) => (t.kind === 'user' ? t.user.id : `group:${t.conversationId}`));
    expect(order).toEqual([p1!.id, `group:${group}`, p2!.id, p3!.id, p4!.id, p5!.id]);
    expect(res.body.items[5]).toMatchObject({ kind: 'user', conversationId: null, friend: true, score: 0 });

    // Search across friends and conversations: a member's name finds the group too.
    const found = await s.api('GET', `/me/share-targets?q=${encodeURIComponent('friend yan')}`, { token: me.token });
    expect(found.body.items.map((t: any) => (t.kind === 'user' ? t.user.id : `group:${t.conversationId}`))).toEqual([`group:${group}`, p2!.id]);
    expect((await s.api('GET', '/me/share-targets?q=book', { token: me.token })).body.items).toHaveLength(1);

    // Someone blocked disappears from the sheet.
    await block(s, p1!, me);
    const after = await s.api('GET', '/me/share-targets', { token: me.token });
    expect(after.body.items.some((t: any) => t.kind === 'user' && t.user.id === p1!.id)).toBe(false);
    expect((await s.api('GET', '/me/share-targets?limit=0', { token: me.token })).status).toBe(400);
  });
});
