import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { AppContext } from '../../app/context.ts';
import { createVideoFromFile } from '../media/index.ts';
import { finishLive, goOnAir, INGEST_CONTROL_CHANNEL, liveForStreamKey, recordReplay } from './live.service.ts';

/**
 * Getting a live's stream in and out as HLS (docs/live.md "Ingest").
 *
 * RTMP: node-media-server's RTMP session is embedded on RTMP_PORT, without its HTTP server, API,
 * relays or the process-wide handlers its `NodeMediaServer` class installs. Every publish is
 * checked against the stream key of a waiting or on-air live before it is accepted (the socket is
 * paused while the database answers); a wrong key is refused and the connection closed. Playing
 * is refused to everyone but this node's own packager (from 127.0.0.1, with a one-off token).
 *
 * Packaging: one ffmpeg per live reads the stream (from the local RTMP server, or from a stream of
 * media chunks the browser sends: `startHlsPackager`) and writes 1 s HLS segments plus a Matroska
 * recording. It copies H.264/AAC as they are and transcodes anything else (x264 veryfast,
 * zerolatency). The live goes on air when the first playlist exists; it ends when the input stops,
 * or when no segment came for LIVE_STALL_SEC. Then ffmpeg is stopped, the recording becomes a
 * private clip of the host (the replay: kept or deleted like any clip) and the directory is removed.
 */

const require = createRequire(import.meta.url);
// Deep imports: the session alone, not the server class (which installs process-wide handlers).
const NodeRtmpSession = require('node-media-server/src/node_rtmp_session.js');
const nmsContext = require('node-media-server/src/node_core_ctx.js') as { nodeEvent: import('node:events').EventEmitter; sessions: Map<string, unknown> };
const nmsLogger = require('node-media-server/src/node_core_logger.js') as { setLogType(t: number): void };
nmsLogger.setLogType(0);

/** FLV codec ids as node-media-server reads them. */
const FLV_H264 = 7;
const FLV_AAC = 10;
/** A stream that has not produced a playlist after this long is given up. */
const FIRST_PLAYLIST_TIMEOUT_MS = 20_000;
/** How long ffmpeg gets to finish its files after being asked to stop. */
const STOP_GRACE_MS = 3_000;
const WATCH_EVERY_MS = 250;

export const hlsDirOf = (ctx: AppContext, liveId: string) => path.join(ctx.config.dataDir, 'live', liveId);

/** What the packager reads: the local RTMP server (pull URL), or media chunks in a container ffmpeg can demux from a pipe. */
export type PackagerInput = { kind: 'rtmp'; url: string; copy: boolean } | { kind: 'stream'; stream: Readable; format: 'matroska' | 'webm' | 'mpegts' | 'flv' };

export interface LivePackager {
  liveId: string;
  /** Resolves once ffmpeg has exited, the live has ended and its files are gone. */
  done: Promise<void>;
  /** Stops the stream (the live ends; the recording is kept as the replay). */
  stop(): void;
}

interface Packagers {
  byLive: Map<string, LivePackager>;
  unsubscribe: Promise<() => Promise<void>>;
}
const packagersByCtx = new WeakMap<AppContext, Packagers>();

function packagers(ctx: AppContext): Packagers {
  let p = packagersByCtx.get(ctx);
  if (!p) {
    const byLive = new Map<string, LivePackager>();
    // A live ended on another node (its host pressed End there): the node running its stream stops it.
    const unsubscribe = ctx.pubsub.subscribe(INGEST_CONTROL_CHANNEL, (payload) => {
      const id = (payload as { stop?: string }).stop;
      if (id) byLive.get(id)?.stop();
    });
    p = { byLive, unsubscribe };
    packagersByCtx.set(ctx, p);
  }
  return p;
}

/** Packagers running on this node (tests and shutdown). */
export const runningPackagers = (ctx: AppContext) => packagersByCtx.get(ctx)?.byLive.size ?? 0;

/** Stops every packager of this node and waits for them (the server is closing). */
export async function stopAllPackagers(ctx: AppContext) {
  const p = packagersByCtx.get(ctx);
  if (!p) return;
  const running = [...p.byLive.values()];
  for (const k of running) k.stop();
  await Promise.all(running.map((k) => k.done));
  packagersByCtx.delete(ctx);
  await (await p.unsubscribe)();
}

function ffmpegArgs(input: PackagerInput, dir: string): string[] {
  // The tee muxer's option syntax gives meaning to these characters: a data directory using them cannot be written to safely.
  if (/[[\]|:=\\'"]/.test(dir)) throw new Error(`the live directory ${dir} has characters ffmpeg's tee muxer cannot take`);
  const inArgs =
    input.kind === 'rtmp'
      ? ['-protocol_whitelist', 'rtmp,tcp', '-fflags', '+nobuffer', '-probesize', '65536', '-analyzeduration', '300000', '-f', 'flv', '-i', input.url]
      : ['-protocol_whitelist', 'pipe', '-f', input.format === 'webm' ? 'matroska' : input.format, '-i', 'pipe:0'];
  const copy = input.kind === 'rtmp' && input.copy;
  const codec = copy
    ? ['-c', 'copy']
    : [
        '-c:v',
        'libx264',
        // A browser's stream is transcoded as it arrives: the cheapest preset keeps the encoder
        // ahead of real time on a busy machine (a queue in front of it is latency that only grows).
        '-preset',
        input.kind === 'stream' ? 'ultrafast' : 'veryfast',
        '-tune',
        'zerolatency',
        '-pix_fmt',
        'yuv420p',
        // A keyframe every second, so every segment is one second whatever the frame rate.
        '-force_key_frames',
        'expr:gte(t,n_forced*1)',
        '-c:a',
        'aac',
        '-b:a',
        '128k',
        '-ar',
        '48000',
      ];
  const hls = `[f=hls:hls_time=1:hls_list_size=6:hls_flags=delete_segments+independent_segments:hls_segment_filename=${dir}/seg%05d.ts]${dir}/index.m3u8`;
  const recording = `[f=matroska:onfail=ignore]${dir}/recording.mkv`;
  return ['-nostdin', '-hide_banner', '-loglevel', 'error', ...inArgs, '-map', '0:v:0', '-map', '0:a:0?', ...codec, '-f', 'tee', `${hls}|${recording}`];
}

/**
 * Starts packaging a live's stream into HLS (the seam the browser ingest uses with a stream of
 * media chunks). The live goes on air with its first playlist and ends when the input ends,
 * stalls, or `stop()` is called. One packager per live on a node; a second is refused.
 */
export function startHlsPackager(ctx: AppContext, live: { id: string; hostId: string; title: string }, input: PackagerInput): LivePackager {
  const registry = packagers(ctx);
  if (registry.byLive.has(live.id)) throw new Error(`live ${live.id} is already being packaged on this node`);
  const dir = hlsDirOf(ctx, live.id);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const playlist = path.join(dir, 'index.m3u8');
  const child: ChildProcess = spawn(ctx.config.media.ffmpegPath, ffmpegArgs(input, dir), {
    stdio: [input.kind === 'stream' ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  if (input.kind === 'stream' && child.stdin) {
    child.stdin.on('error', () => {}); // ffmpeg gone: the exit handler below ends the live
    input.stream.pipe(child.stdin);
    input.stream.on('error', () => child.stdin?.end());
  }
  const startedAt = Date.now();
  let onAir = false;
  let lastChange = 0;
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    child.on('error', (err) => {
      ctx.log.error({ err, liveId: live.id }, 'live packager could not start');
      resolve();
    });
    child.on('close', () => resolve());
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (input.kind === 'stream') input.stream.unpipe();
    // SIGTERM lets ffmpeg close its files (the playlist's end, the recording's index).
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
  };
  const watch = setInterval(() => {
    fs.stat(playlist, (err, st) => {
      const now = Date.now();
      if (err) {
        if (!onAir && now - startedAt > FIRST_PLAYLIST_TIMEOUT_MS) {
          ctx.log.warn({ liveId: live.id }, 'live stream gave no playlist; stopping');
          stop();
        }
        return;
      }
      if (st.mtimeMs !== lastChange) lastChange = st.mtimeMs;
      if (!onAir) {
        onAir = true;
        ctx.log.info({ liveId: live.id, ms: now - startedAt }, 'live on air');
        goOnAir(ctx, live.id).catch((e) => ctx.log.warn({ err: e, liveId: live.id }, 'could not mark the live on air'));
      } else if (now - lastChange > ctx.config.live.stallMs) {
        ctx.log.info({ liveId: live.id }, 'live stream stalled; ending it');
        stop();
      }
    });
  }, WATCH_EVERY_MS);
  watch.unref();

  const done = (async () => {
    await exited;
    clearInterval(watch);
    if (!stopping && stderr) ctx.log.info({ liveId: live.id, stderr: stderr.slice(-300) }, 'live packager exited');
    try {
      await finishLive(ctx, live.id);
      await keepReplay(ctx, live, path.join(dir, 'recording.mkv'));
    } catch (err) {
      ctx.log.warn({ err, liveId: live.id }, 'ending the live failed');
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
      registry.byLive.delete(live.id);
    }
  })();
  const packager: LivePackager = { liveId: live.id, done, stop };
  registry.byLive.set(live.id, packager);
  return packager;
}

/** The recording becomes a private clip of the host (their replay: kept by making it public, or deleted), when it is a playable video. */
async function keepReplay(ctx: AppContext, live: { id: string; hostId: string; title: string }, file: string) {
  const size = await fs.promises.stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) return;
  try {
    const { video } = await createVideoFromFile(ctx, live.hostId, file, { caption: live.title.slice(0, 2000), visibility: 'private' });
    await recordReplay(ctx, live.id, video.id);
  } catch (err) {
    // Too short, too long for a clip, or unreadable: the live stays without a replay.
    ctx.log.info({ err: (err as Error).message, liveId: live.id }, 'the live recording was not kept as a replay');
  }
}

// ---------------------------------------------------------------- RTMP

interface NmsSession {
  id: string;
  socket: net.Socket;
  appname: string;
  isLocal: boolean;
  isPublishing: boolean;
  videoCodec: number;
  audioCodec: number;
  parserPacket: { header: { stream_id: number } };
  onPublish(msg: { streamName?: unknown }): void;
  onPlay(msg: { streamName?: unknown }): void;
  sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
  reject(): void;
  run(): void;
}

export interface RtmpIngest {
  port: number;
  close(): Promise<void>;
}

/** Starts the RTMP listener on RTMP_PORT (null when it is 0). */
export async function startRtmpIngest(ctx: AppContext): Promise<RtmpIngest | null> {
  const port = ctx.config.live.rtmpPort;
  if (!port) return null;
  const config = { rtmp: { port, chunk_size: 60000, gop_cache: false, ping: 30, ping_timeout: 60 } };
  /** Streams published here: session id → the live and the token its packager plays with. */
  const publishing = new Map<string, { liveId: string; path: string; pullToken: string; packager: LivePackager | null }>();
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const session = new NodeRtmpSession(config, socket) as NmsSession;
    const publish = session.onPublish.bind(session);
    const play = session.onPlay.bind(session);
    session.onPublish = (msg) => {
      const name = typeof msg.streamName === 'string' ? msg.streamName.split('?')[0]! : '';
      const streamId = session.parserPacket.header.stream_id;
      const refuse = (why: string) => {
        ctx.log.info({ why }, 'rtmp publish refused');
        session.sendStatusMessage(streamId, 'error', 'NetStream.Publish.BadName', why);
        session.reject();
      };
      if (session.appname !== 'live' || !/^lk_[A-Za-z0-9_-]{32}$/.test(name)) return refuse('wrong stream key');
      // Nothing more is read from this socket until the key is checked.
      socket.pause();
      liveForStreamKey(ctx, name)
        .then((live) => {
          if (socket.destroyed) return;
          if (!live) return refuse('wrong stream key');
          if ([...publishing.values()].some((p) => p.liveId === String(live.id))) return refuse('this live is already receiving a stream');
          const saved = session.parserPacket;
          session.parserPacket = { header: { stream_id: streamId } };
          publish(msg);
          session.parserPacket = saved;
          socket.resume();
          if (!session.isPublishing) return;
          const entry = { liveId: String(live.id), path: `/live/${name}`, pullToken: randomBytes(16).toString('hex'), packager: null as LivePackager | null };
          publishing.set(session.id, entry);
          void startPacking(session, entry, { id: String(live.id), hostId: String(live.host_id), title: live.title }, name);
        })
        .catch((err) => {
          ctx.log.warn({ err }, 'rtmp publish check failed');
          refuse('the stream key could not be checked; try again');
        });
    };
    session.onPlay = (msg) => {
      const [name, query = ''] = typeof msg.streamName === 'string' ? msg.streamName.split('?') : [''];
      const token = new URLSearchParams(query).get('pull');
      const ok = session.isLocal && session.appname === 'live' && [...publishing.values()].some((p) => p.path === `/live/${name}` && p.pullToken === token);
      if (!ok) return session.reject();
      play(msg);
    };
    session.run();
  });

  /** Waits for the codecs (first audio/video tags), then starts ffmpeg reading the stream back from this server. */
  async function startPacking(session: NmsSession, entry: { pullToken: string; packager: LivePackager | null }, live: { id: string; hostId: string; title: string }, key: string) {
    const t0 = Date.now();
    for (let i = 0; i < 60 && session.videoCodec === 0 && publishing.has(session.id); i++) await new Promise((r) => setTimeout(r, 50));
    if (!publishing.has(session.id)) return;
    ctx.log.info({ liveId: live.id, codecWaitMs: Date.now() - t0, videoCodec: session.videoCodec, audioCodec: session.audioCodec }, 'rtmp publish accepted; packaging');
    const copy = session.videoCodec === FLV_H264 && (session.audioCodec === FLV_AAC || session.audioCodec === 0);
    const address = server.address() as net.AddressInfo;
    try {
      entry.packager = startHlsPackager(ctx, live, { kind: 'rtmp', url: `rtmp://127.0.0.1:${address.port}/live/${key}?pull=${entry.pullToken}`, copy });
    } catch (err) {
      ctx.log.error({ err, liveId: live.id }, 'could not start the live packager');
      session.reject();
      return;
    }
    // The packager ended (stall, host pressed End): the encoder is disconnected too.
    entry.packager.done.then(() => {
      if (publishing.get(session.id) === entry) {
        publishing.delete(session.id);
        session.reject();
      }
    });
  }

  const onDonePublish = (id: string) => {
    const entry = publishing.get(id);
    if (!entry) return;
    publishing.delete(id);
    entry.packager?.stop();
  };
  nmsContext.nodeEvent.on('donePublish', onDonePublish);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ctx.config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => ctx.log.error({ err }, 'rtmp server error'));
  ctx.log.info({ port }, 'RTMP ingest listening');

  return {
    port,
    async close() {
      nmsContext.nodeEvent.off('donePublish', onDonePublish);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await stopAllPackagers(ctx);
    },
  };
}
