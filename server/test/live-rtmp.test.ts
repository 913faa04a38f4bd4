import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { follow } from './graph-helpers.ts';
import { engine, type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { freePort } from './process.ts';

// RTMP ingest (issue 14, acceptance 1): an encoder (ffmpeg testsrc2 + sine) publishes to
// rtmp://127.0.0.1:RTMP_PORT/live/KEY; the live goes on air with a playable HLS playlist (the
// time from the first encoded frame is printed, not asserted); a wrong key is refused; stopping
// the encoder ends the live, frees its ffmpeg and its files, and leaves the host a private
// replay clip. Followers are told (live_started) and find it in GET /feed/live.
let s: TestServer;
let host: MadeUser;
let fan: MadeUser;
let stranger: MadeUser;
let rtmpPort: number;
const children: ChildProcess[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-rtmp-'));

/** An encoder like OBS: 1 s keyframes (OBS's "Keyframe Interval"), H.264 + AAC over RTMP. */
function encoder(url: string, onFirstFrame?: () => void) {
  const child = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=30',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-g',
      '30',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-progress',
      'pipe:1',
      '-f',
      'flv',
      url,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  let told = false;
  child.stdout.on('data', (d: Buffer) => {
    // The first progress report with a frame written: the first (key)frame has left the encoder.
    if (!told && /frame=[1-9]/.test(d.toString())) {
      told = true;
      onFirstFrame?.();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ffmpegWith = (needle: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(needle) && !l.includes('ps -eo'));

beforeAll(async () => {
  rtmpPort = await freePort();
  s = await startTestServer({ env: { RTMP_PORT: String(rtmpPort), LIVE_STATE_INTERVAL_MS: '500', ...(process.env.LIVE_DEBUG && { LOG_LEVEL: 'info' }) } });
  [host, fan, stranger] = await Promise.all([s.make.user(), s.make.user(), s.make.user()]);
  await follow(s, fan, host);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await s?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe(`RTMP ingest (${engine})`, () => {
  it('a wrong stream key is refused: the encoder is disconnected and the live stays waiting', async () => {
    const created = await s.api('POST', '/lives', { token: host.token, body: { title: 'not this one' } });
    const wrong = encoder(`rtmp://127.0.0.1:${rtmpPort}/live/lk_${'x'.repeat(32)}`);
    const code = await Promise.race([wrong.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(code).not.toBe('still running');
    expect(code).not.toBe(0);
    // Nobody may play from the RTMP server either (it is never an open relay).
    const player = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', `rtmp://127.0.0.1:${rtmpPort}/live/${created.body.ingest.streamKey}`, '-f', 'null', '-'], { stdio: 'ignore' });
    children.push(player);
    const played = await Promise.race([new Promise((r) => player.on('exit', r)), new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(played).not.toBe('still running');
    expect((await s.api('GET', `/lives/${created.body.live.id}`, { token: host.token })).body.live.status).toBe('waiting');
  });

  it('the right key: on air with a playable HLS playlist; followers told and shown it; stopping the encoder ends it, frees ffmpeg and files, and leaves a replay', async () => {
    const created = await s.api('POST', '/lives', { token: host.token, body: { title: 'Sunday cooking', visibility: 'followers' } });
    expect(created.status).toBe(201);
    const { live, ingest } = created.body;
    let firstFrameAt = 0;
    const enc = encoder(`${ingest.rtmpUrl.replace(/^rtmp:\/\/[^/]+/, `rtmp://127.0.0.1:${rtmpPort}`)}/${ingest.streamKey}`, () => {
      firstFrameAt = Date.now();
    });
    const onAir = await until(
      'the live on air',
      async () => {
        const r = await s.api('GET', `/lives/${live.id}`, { token: fan.token });
        return r.body.live.status === 'live' ? r.body.live : null;
      },
      30_000,
    );
    const liveAt = Date.now();
    expect(onAir).toMatchObject({ status: 'live', hlsUrl: `/api/v1/lives/${live.id}/hls/index.m3u8`, startedAt: expect.any(String) });
    const playlist = await s.api('GET', onAir.hlsUrl.replace('/api/v1', ''), { token: fan.token });
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toContain('mpegurl');
    const segment = String(playlist.body)
      .split('\n')
      .find((l) => l.endsWith('.ts'));
    expect(segment).toBeTruthy();
    const playableAt = Date.now();
    console.log(`[live-rtmp] first encoded frame → status live: ${liveAt - firstFrameAt} ms; → playlist fetched with a segment: ${playableAt - firstFrameAt} ms (${engine})`);
    expect(String(playlist.body)).toMatch(/#EXT-X-TARGETDURATION:[12]\b/);
    const seg = await fetch(`${s.url}/api/v1/lives/${live.id}/hls/${segment}`, { headers: { authorization: `Bearer ${fan.token}` } });
    expect(seg.status).toBe(200);
    const segFile = path.join(tmp, 'seg.ts');
    fs.writeFileSync(segFile, Buffer.from(await seg.arrayBuffer()));
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', segFile], { encoding: 'utf8' }));
    expect(probe.streams.map((x: any) => x.codec_name).sort()).toEqual(['aac', 'h264']);
    // A followers live: its playlist is not for strangers.
    expect((await s.api('GET', `/lives/${live.id}/hls/index.m3u8`, { token: stranger.token })).status).toBe(404);
    expect((await s.api('GET', `/lives/${live.id}/hls/..%2Fx`, { token: fan.token })).status).toBe(400);

    // Discovery: the follower is told and sees it first in /feed/live; the stranger does not.
    await s.worker!.idle();
    const inbox = await s.api('GET', '/notifications', { token: fan.token });
    expect(inbox.body.items[0]).toMatchObject({ kind: 'live_started', actor: { id: host.id }, subject: { type: 'live', id: live.id }, url: `/live/${live.id}` });
    expect((await s.api('GET', '/feed/live', { token: fan.token })).body.items.map((l: any) => l.id)).toContain(live.id);
    expect((await s.api('GET', '/feed/live', { token: stranger.token })).body.items.map((l: any) => l.id)).not.toContain(live.id);
    expect(ffmpegWith(ingest.streamKey).length).toBeGreaterThan(0);

    // Let it run a little, so the recording is a clip worth keeping.
    await new Promise((r) => setTimeout(r, 3_000));
    const stoppedAt = Date.now();
    enc.child.kill('SIGTERM');
    const ended = await until(
      'the live to end',
      async () => {
        const r = await s.api('GET', `/lives/${live.id}`, { token: host.token });
        return r.body.live.status === 'ended' ? r.body.live : null;
      },
      30_000,
    );
    console.log(`[live-rtmp] encoder stopped → live ended: ${Date.now() - stoppedAt} ms (${engine})`);
    expect(ended.hlsUrl).toBeNull();
    const dir = path.join(s.ctx.config.dataDir, 'live', live.id);
    await until('its files to be removed', async () => !fs.existsSync(dir), 15_000);
    await until('its ffmpeg to exit', async () => ffmpegWith(ingest.streamKey).length === 0, 15_000);
    console.log(`[live-rtmp] encoder stopped → files and processes freed: ${Date.now() - stoppedAt} ms (${engine})`);

    // The recording is the host's private replay clip.
    const replay = await until(
      'the replay',
      async () => (await s.api('GET', `/lives/${live.id}`, { token: host.token })).body.live.replayVideoId as string | null,
      30_000,
    );
    expect((await s.api('GET', `/videos/${replay}`, { token: host.token })).status).toBe(200);
    expect((await s.api('GET', `/videos/${replay}`, { token: fan.token })).status).toBe(404);
    expect((await s.api('GET', `/lives/${live.id}`, { token: fan.token })).body.live.replayVideoId).toBeNull();
    // An ended live's key opens nothing any more.
    const again = encoder(`rtmp://127.0.0.1:${rtmpPort}/live/${ingest.streamKey}`);
    expect(await Promise.race([again.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))])).not.toBe('still running');
  }, 150_000);
});
