import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../../app/context.ts';
import { type Demuxer, FfmpegError, transcode } from '../../platform/ffmpeg/ffmpeg.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import { recordEvent } from '../../platform/events/events.ts';
import { enqueue, type JobRun, PermanentJobError } from '../../platform/jobs/queue.ts';
import { bandwidthFor, codecsFor, ladderFor, masterPlaylist, type Rung, rungArgs } from './ladder.ts';
import * as repo from './media.repo.ts';
import { captionMentionIds, publishedPrefix, publishProgress, sourceKey, toolPaths, workDir } from './media.service.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.jpg': 'image/jpeg',
};

/**
 * The `video.transcode` job. Idempotent and resumable: renditions already published (listed
 * on the row) are skipped, so a retry after a crash or a `kill -9` continues where the
 * last run stopped. The lowest rung goes first; once it is published the clip is `ready`
 * (playable), and the higher rungs go to a new job at the back of the queue: when many clips
 * wait (a busy hour, the demo's first run), every one of them plays before any gets its
 * sharper rungs.
 */
export async function runTranscode(ctx: AppContext, videoId: string, job: JobRun) {
  let v = await repo.findVideo(ctx.db, videoId);
  if (!v) return; // deleted meanwhile: nothing to do
  const rungs = ladderFor(v.width, v.height);
  const done = new Set((v.renditions as repo.Rendition[]).map((r) => r.name));
  if (v.has_poster && rungs.every((r) => done.has(r.name))) return;

  // A directory of this run's own: another run of the same clip (the follow-up job on another
  // node, or a run whose lease ran out while it still worked) never has its files pulled from
  // under it. This one may exist from an earlier attempt that died halfway through writing.
  const work = path.join(workDir(ctx, videoId), `${job.id}-${job.attempt}`);
  await fs.rm(work, { recursive: true, force: true });
  await fs.mkdir(work, { recursive: true });
  let finished = false;
  try {
    let source = ctx.storage.localPath(sourceKey(videoId));
    if (!source || !(await exists(source))) {
      if (source) throw new PermanentJobError('the uploaded file is missing');
      source = path.join(work, 'source');
      await ctx.storage.download(sourceKey(videoId), source);
    }
    const demuxer = v.source_format as Demuxer;
    const tools = toolPaths(ctx);
    const timeoutMs = ctx.config.media.ffmpegTimeoutMs;
    const prefix = publishedPrefix(v);

    // Progress: the poster counts for a little, each rung for its share of pixels.
    const weight = (r: Rung) => r.width * r.height;
    const total = rungs.reduce((s, r) => s + weight(r), 0);
    let completed = rungs.filter((r) => done.has(r.name)).reduce((s, r) => s + weight(r), 0);
    let lastSent = -1;
    const report = async (fraction: number) => {
      const progress = Math.min(99, Math.floor(2 + 97 * fraction));
      if (progress < lastSent + 5) return;
      lastSent = progress;
      const row = await repo.updateVideo(ctx.db, videoId, { progress });
      if (row) await publishProgress(ctx, row);
    };

    if (!v.has_poster) {
      const poster = path.join(work, 'poster.jpg');
      await renderPoster(ctx, demuxer, source, poster, v.duration_ms, job.signal);
      await ctx.storage.putFile(`${prefix}/poster.jpg`, poster, 'image/jpeg');
      v = await repo.updateVideo(ctx.db, videoId, { has_poster: true });
      if (!v) return cleanupDeleted(ctx, videoId);
    }

    for (const rung of rungs) {
      if (done.has(rung.name)) continue;
      const dir = path.join(work, rung.name);
      await fs.mkdir(dir, { recursive: true });
      await transcode(tools, demuxer, source, rungArgs(rung, dir, ctx.config.media.preset, v.has_audio), {
        timeoutMs,
        signal: job.signal,
        onProgress: (sec) => void report((completed + weight(rung) * Math.min(1, (sec * 1000) / Math.max(1, v!.duration_ms))) / total),
      });
      // Segments first, the rendition playlist last: a player never sees a list of missing files.
      const files = (await fs.readdir(dir)).sort((a, b) => Number(a.endsWith('.m3u8')) - Number(b.endsWith('.m3u8')));
      for (const f of files) await ctx.storage.putFile(`${prefix}/${rung.name}/${f}`, path.join(dir, f), CONTENT_TYPES[path.extname(f)] ?? 'application/octet-stream');
      await fs.rm(dir, { recursive: true, force: true });

      const renditions = [
        ...(v.renditions as repo.Rendition[]).filter((r) => r.name !== rung.name),
        { name: rung.name, width: rung.width, height: rung.height, bandwidth: bandwidthFor(rung, v.has_audio), codecs: codecsFor(v.has_audio) },
      ];
      await ctx.storage.put(`${prefix}/master.m3u8`, Buffer.from(masterPlaylist(renditions)), CONTENT_TYPES['.m3u8']!);
      done.add(rung.name);
      completed += weight(rung);
      finished = rungs.every((r) => done.has(r.name));
      const handOff = !finished && !v.ready_at;
      const patch = {
        renditions,
        status: 'ready' as const,
        failure_reason: null,
        progress: finished ? 100 : Math.max(v.progress, Math.floor(2 + (97 * completed) / total)),
        ...(v.ready_at ? {} : { ready_at: new Date() }),
      };
      const firstReady = !v.ready_at;
      v = await inTransaction(ctx.db, async (tx) => {
        const row = await repo.updateVideo(tx, videoId, patch);
        if (row && handOff) await enqueue(tx, { kind: 'video.transcode', videoId });
        // Playable for the first time: the people its caption names may now be told.
        if (row && firstReady) {
          await recordEvent(tx, { type: 'video.published', videoId, authorId: String(row.author_id), mentionIds: captionMentionIds(row.entities) });
        }
        return row;
      });
      if (!v) return cleanupDeleted(ctx, videoId);
      await publishProgress(ctx, v);
      if (handOff) return;
    }
    // Every rung is out: the original is no longer needed.
    await ctx.storage.delete(sourceKey(videoId));
  } catch (err) {
    if (err instanceof FfmpegError) {
      // A file that probed fine but cannot be decoded will not decode on a retry either.
      const permanent = /exited with/.test(err.message);
      const reason = `transcoding failed: ${err.message}`;
      throw permanent ? new PermanentJobError(reason) : new Error(reason);
    }
    throw err;
  } finally {
    // The last run of a clip clears its whole work area (runs that died leave theirs behind).
    await fs.rm(finished ? workDir(ctx, videoId) : work, { recursive: true, force: true });
  }
}

/**
 * The poster: the frame a second in (or halfway through a shorter clip). The clip's duration is
 * the container's, and its picture may end sooner than its sound (a still image over a song, a
 * single frame): a seek past the last frame makes ffmpeg write nothing and still exit 0. Then
 * the first frame is the poster; a clip without any frame fails for good, with that reason.
 */
async function renderPoster(ctx: AppContext, demuxer: Demuxer, source: string, poster: string, durationMs: number, signal: AbortSignal) {
  const opts = { timeoutMs: Math.min(ctx.config.media.ffmpegTimeoutMs, 60_000), signal };
  const at = Math.min(1, durationMs / 2000).toFixed(2);
  for (const seek of [['-ss', at], []]) {
    // At most 720 wide and never wider than the clip (an upscaled poster only weighs more: a noisy
    // 480-wide clip's poster was 390 KB at 720 wide, and it is Home's largest paint).
    await transcode(toolPaths(ctx), demuxer, source, [...seek, '-frames:v', '1', '-vf', "scale='min(720,iw)':-2", '-q:v', '5', '-f', 'image2', poster], opts);
    if (await exists(poster)) return;
  }
  throw new PermanentJobError('the video has no picture to make a poster from');
}

/** The job failed for good: a clip that never became playable is marked `failed`. */
export async function markTranscodeFailed(ctx: AppContext, videoId: string, reason: string) {
  const v = await repo.findVideo(ctx.db, videoId);
  if (!v) return;
  // A clip that already plays keeps playing with the renditions it has.
  const playable = (v.renditions as repo.Rendition[]).length > 0;
  const row = await repo.updateVideo(ctx.db, videoId, playable ? { progress: 100 } : { status: 'failed', failure_reason: reason.slice(0, 500) });
  if (row) await publishProgress(ctx, row);
  if (!playable) await ctx.storage.delete(sourceKey(videoId)).catch(() => {});
}

async function cleanupDeleted(ctx: AppContext, videoId: string) {
  await ctx.storage.deletePrefix(`videos/${videoId}`);
}

async function exists(file: string) {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
