import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../app/config.ts';
import type { AppContext } from '../../app/context.ts';
import { runTool } from '../../platform/ffmpeg/ffmpeg.ts';
import type { DemoSeeder } from '../demo/index.ts';
import { DEMO_CLIPS, type DemoClip } from './demo-clips.ts';
import * as repo from './media.repo.ts';
import { addComment, createVideoFromFile, setLike, stagingDir } from './media.service.ts';

/**
 * Demo clips for the embedded first run, generated locally (no downloads) from the catalogue in
 * demo-clips.ts: vertical 480×854, four seconds each, a title drawn over the picture and a soft
 * chord under it. They go through the normal upload path, so they are probed, queued and
 * transcoded like any upload; once a clip plays, the demo people like and comment on it.
 */
const SECONDS = 4;

/** Fonts for the titles, first found wins (fonts-noto-core, then fonts-dejavu-core). Without one, clips have no title. */
const FONT_FILES = [
  '/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
];

// Quoted, so the commas and colons of the expressions stay inside the option.
const MOTION: Record<DemoClip['motion'], string> = {
  float: "x='(w-text_w)/2':y='h*0.68+14*sin(t*2)'",
  scroll: "x='w-mod(t*200,w+text_w)':y='h*0.7'",
  pulse: "x='(w-text_w)/2':y='h*0.68':alpha='0.55+0.45*sin(t*9.42)'",
  fall: "x='(w-text_w)/2':y='min(h*0.68,h*0.2+t*200)'",
};

/** The title as drawtext options; the text keeps only characters that need no escaping. */
export function titleFilter(font: string, clip: Pick<DemoClip, 'title' | 'motion'>) {
  const text = clip.title.replace(/[^\p{L}\p{N} #.!&-]/gu, '');
  return `drawtext=fontfile='${font}':text='${text}':fontsize=50:fontcolor=white:shadowcolor=black@0.55:shadowx=3:shadowy=3:${MOTION[clip.motion]}`;
}

async function renderClip(config: Config, clip: DemoClip, out: string, font: string | null, first: boolean) {
  const chord = clip.tones.map((f, i) => `sine=frequency=${f}:duration=${SECONDS}[a${i}]`).join(';');
  const audio = `${chord};${clip.tones.map((_, i) => `[a${i}]`).join('')}amix=inputs=${clip.tones.length},volume=0.6,afade=t=in:d=0.5,afade=t=out:st=${SECONDS - 0.8}:d=0.8[aout]`;
  const video = [clip.look, ...(font ? [titleFilter(font, clip)] : []), 'format=yuv420p', 'fade=t=in:d=0.4'].join(',');
  await runTool(
    config.media.ffmpegPath,
    [
      '-nostdin', '-hide_banner', '-v', 'error', '-y',
      '-f', 'lavfi', '-i', video,
      '-filter_complex', audio,
      '-map', '0:v', '-map', '[aout]', '-t', String(SECONDS), '-r', '25',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '20', '-c:a', 'aac', '-b:a', '96k',
      // The later clips take one core at low priority: creating the database, then transcoding
      // the clips already drawn, come first, so the first clips play within seconds of start.
      ...(first ? [] : ['-threads', '1', '-filter_threads', '1']),
      '-movflags', '+faststart', out,
    ],
    { timeoutMs: 120_000, niceness: first ? 0 : 5 },
  );
}

/** A drawn clip in the staging area, or why there is none; `untitled` when drawtext failed and titles were dropped. */
type Drawn = { file: string | null; error?: unknown; untitled?: unknown };

/**
 * Draws every demo clip, one after another, into the staging area; one promise per clip, in
 * catalogue order. Needs no database, so a first run starts it while the database is created.
 */
export function drawDemoClips(config: Config): Array<Promise<Drawn>> {
  const dir = stagingDir({ config });
  let font = FONT_FILES.find((f) => fs.existsSync(f)) ?? null;
  let previous: Promise<unknown> = fs.promises.mkdir(dir, { recursive: true });
  return DEMO_CLIPS.map((clip, i) => {
    const drawn = previous.then(async (): Promise<Drawn> => {
      const file = path.join(dir, `demo-${randomBytes(6).toString('hex')}.mp4`);
      try {
        try {
          await renderClip(config, clip, file, font, i === 0);
          return { file };
        } catch (untitled) {
          if (!font) throw untitled;
          // An ffmpeg built without drawtext (libfreetype): this and the rest go without titles.
          font = null;
          await renderClip(config, clip, file, font, i === 0);
          return { file, untitled };
        }
      } catch (error) {
        await fs.promises.rm(file, { force: true });
        return { file: null, error };
      }
    });
    previous = drawn;
    return drawn;
  });
}

/** Posts every demo clip as it is drawn, in catalogue order; each gets its likes and comments once it plays. */
export async function createDemoClips(ctx: AppContext, userIds: Record<string, string>, drawing = drawDemoClips(ctx.config)) {
  if (!FONT_FILES.some((f) => fs.existsSync(f))) ctx.log.warn('no font for the demo clip titles (install fonts-noto-core or fonts-dejavu-core); clips get none');
  let reactions = Promise.resolve();
  for (const [i, clip] of DEMO_CLIPS.entries()) {
    const drawn = await drawing[i]!;
    if (drawn.untitled) ctx.log.warn({ err: drawn.untitled }, 'demo clip titles unavailable; drawing without them');
    const userId = userIds[clip.author];
    // Demo clips are a nicety: a machine without ffmpeg still gets the demo accounts.
    if (!drawn.file || !userId) {
      ctx.log.warn({ err: drawn.error, author: clip.author }, 'demo clip not created');
      if (drawn.file) await fs.promises.rm(drawn.file, { force: true });
      continue;
    }
    try {
      const { video } = await createVideoFromFile(ctx, userId, drawn.file, { caption: clip.caption, visibility: 'public' });
      ctx.log.debug({ videoId: video.id, author: clip.author }, 'demo clip posted');
      reactions = reactions.then(() => reactWhenPlayable(ctx, userIds, clip, video.id));
    } catch (err) {
      ctx.log.warn({ err, author: clip.author }, 'demo clip not created');
    }
  }
  await reactions;
}

/** Likes and comments need a clip others may see: they come once it is ready. */
async function reactWhenPlayable(ctx: AppContext, userIds: Record<string, string>, clip: DemoClip, videoId: string) {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const v = await repo.findVideo(ctx.db, videoId);
    if (!v || v.status === 'failed' || Date.now() > deadline) return;
    if (v.status === 'ready') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    for (const who of clip.likedBy) if (userIds[who]) await setLike(ctx, userIds[who], videoId, true);
    const posted: Array<string | undefined> = [];
    for (const [i, [who, text, replyTo]] of clip.comments.entries()) {
      const userId = userIds[who];
      const replyToId = replyTo === undefined ? undefined : posted[replyTo];
      if (userId) posted[i] = (await addComment(ctx, userId, videoId, { text, ...(replyToId && { replyToId }) })).comment.id;
    }
  } catch (err) {
    ctx.log.warn({ err, videoId }, 'demo reactions not added');
  }
}

/**
 * Drawing takes about a second per clip: it starts before the database is open on a first run
 * (prepare), and posting runs in the background so the server starts listening at once; the
 * clips appear in the feed as the worker finishes them.
 */
export const mediaDemo: DemoSeeder = {
  async seed(ctx, userIds, drawing) {
    void createDemoClips(ctx, userIds, drawing as Array<Promise<Drawn>> | undefined).catch((err) => ctx.log.warn({ err }, 'demo clips failed'));
  },
  prepare: (config) => drawDemoClips(config),
};
