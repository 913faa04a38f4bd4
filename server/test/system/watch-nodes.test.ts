import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend } from '../graph-helpers.ts';
import { createFreshDatabase, startTestServer, type TestServer } from '../harness.ts';
import { makeClip, uploadClip, waitForVideo } from '../media-fixtures.ts';
import { connectWs, type WsClient } from '../ws-client.ts';

// Watch together across two nodes sharing one PostgreSQL and one Redis (issue 14): the session is
// one row both nodes change, and `watch:<id>` crosses nodes over Redis pub/sub.
const PG = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

let db: Awaited<ReturnType<typeof createFreshDatabase>>;
let n1: TestServer;
let n2: TestServer;
let dataDir: string;
const sockets: WsClient[] = [];

beforeAll(async () => {
  db = await createFreshDatabase(PG);
  // One media directory for both, as one bucket would be: either node's worker may transcode an upload.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-watch-nodes-'));
  const env = { DATABASE_URL: db.url, REDIS_URL: REDIS, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}:`, DATA_DIR: dataDir };
  n1 = await startTestServer({ env, postgresUrl: '' });
  n2 = await startTestServer({ env, postgresUrl: '' });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await n1?.close();
  await n2?.close();
  await db?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const state = (id: string, pred: (s: any) => boolean) => (f: any) => f.type === 'watch.state' && f.conversationId === id && f.session && pred(f.session);

describe('watch together on two nodes', () => {
  it('controls sent on either node reach members on both, and both nodes read the same session', async () => {
    const [a, b] = [await n1.make.user(), await n2.make.user()];
    await befriend(n1, a, b);
    const conversation = (await n1.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } })).body.conversation;
    const up = await uploadClip(n1, a.token, makeClip({ seconds: 3 }), { caption: 'together', visibility: 'public' });
    const videoId = (await waitForVideo(n1, a.token, up.body.video.id, (v) => v.status !== 'processing' && v.progress === 100)).id as string;

    const wa = await connectWs(n1.url, { token: a.token });
    const wb = await connectWs(n2.url, { token: b.token });
    sockets.push(wa, wb);
    // B opens the view on node 2 before anyone started: the start on node 1 reaches it.
    wb.send({ type: 'watch.join', conversationId: conversation.id });
    await wb.waitFor((f) => f.type === 'watch.state' && f.conversationId === conversation.id);
    const started = await n1.api('POST', `/conversations/${conversation.id}/watch`, { token: a.token, body: { videoId } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    await wb.waitFor(state(conversation.id, (s) => s.videoId === videoId));
    wa.send({ type: 'watch.join', conversationId: conversation.id });
    for (const w of [wa, wb]) await w.waitFor(state(conversation.id, (s) => s.participants.length === 2));

    wa.send({ type: 'watch.control', conversationId: conversation.id, action: 'play' });
    for (const w of [wa, wb]) await w.waitFor(state(conversation.id, (s) => s.playing === true));
    wb.send({ type: 'watch.control', conversationId: conversation.id, action: 'seek', positionMs: 1_200 });
    for (const w of [wa, wb]) await w.waitFor(state(conversation.id, (s) => s.positionMs === 1_200 && s.playing === true));
    wb.send({ type: 'watch.control', conversationId: conversation.id, action: 'pause', positionMs: 2_000 });
    const last = await wa.waitFor(state(conversation.id, (s) => s.playing === false && s.positionMs === 2_000));
    expect(last.session.positionMs).toBe(2_000);

    const [g1, g2] = await Promise.all([
      n1.api('GET', `/conversations/${conversation.id}/watch`, { token: b.token }),
      n2.api('GET', `/conversations/${conversation.id}/watch`, { token: a.token }),
    ]);
    expect(g1.body.session).toEqual(g2.body.session);
    expect(g1.body.session).toMatchObject({ playing: false, positionMs: 2_000, rev: last.session.rev });

    // Leaving on node 2 is seen on node 1.
    wb.close();
    await wa.waitFor(state(conversation.id, (s) => s.participants.length === 1));
  });
});
