import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../../app/context.ts';
import { runTool } from '../../platform/ffmpeg/ffmpeg.ts';
import { addDemoSeeder } from '../demo/demo-content.ts';
import { createVideoFromFile, stagingDir } from './media.service.ts';

/**
 * Demo clips for the embedded first run, generated locally (no downloads): vertical
 * 720×1280, a few seconds each, each with its own look and a soft chord. They go through
 * the normal upload path, so they are probed, queued and transcoded like any upload.
 */
const DEMO_CLIPS: Array<{ author: string; caption: string; video: string; tones: number[] }> = [
  {
    author: 'maya',
    caption: 'Golden hour on the wall 🧗 #climbing #sunset',
    video: 'gradients=s=720x1280:c0=0xff7e5f:c1=0xfeb47b:c2=0x6a3093:nb_colors=3:speed=0.03:type=linear',
    tones: [220, 277.18, 329.63],
  },
  {
    author: 'leo',
    caption: 'Night ride through Alfama, more soon @maya #skate #lisbon',
    video: 'gradients=s=720x1280:c0=0x0f2027:c1=0x2c5364:c2=0x00d2ff:nb_colors=3:speed=0.05:type=radial',
    tones: [196, 246.94, 293.66],
  },
  {
    author: 'sam',
    caption: 'New loop, 90 bpm, headphones on 🎧 #beats',
    video: 'gradients=s=720x1280:c0=0x8e2de2:c1=0x4a00e0:c2=0xff6a88:c3=0xffd86f:nb_colors=4:speed=0.06:type=spiral',
    tones: [130.81, 164.81, 196],
  },
  {
    author: 'ines',
    caption: 'Glaze test #3, the blue finally worked #pottery',
    video: 'gradients=s=720x1280:c0=0x43cea2:c1=0x185a9d:c2=0xe0eafc:nb_colors=3:speed=0.02:type=circular',
    tones: [261.63, 329.63, 392],
  },
  {
    author: 'sam',
    caption: 'Pixels dancing to a chord #generative',
    video: 'life=s=180x320:rate=12:mold=10:r=0.2:life_color=0xff66cc:death_color=0x1a1a40:mold_color=0x4040a0,scale=720:1280:flags=neighbor',
    tones: [174.61, 220, 261.63],
  },
];

const SECONDS = 5;

async function renderClip(ctx: AppContext, clip: (typeof DEMO_CLIPS)[number], out: string) {
  const chord = clip.tones.map((f, i) => `sine=frequency=${f}:duration=${SECONDS}[a${i}]`).join(';');
  const mixAudio = `${chord};${clip.tones.map((_, i) => `[a${i}]`).join('')}amix=inputs=${clip.tones.length},volume=0.6,afade=t=in:d=0.5,afade=t=out:st=${SECONDS - 0.8}:d=0.8[aout]`;
  await runTool(
    ctx.config.media.ffmpegPath,
    [
      '-nostdin', '-hide_banner', '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `${clip.video},format=yuv420p,fade=t=in:d=0.4`,
      '-filter_complex', mixAudio,
      '-map', '0:v', '-map', '[aout]', '-t', String(SECONDS), '-r', '25',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac', '-b:a', '128k',
      '-movflags', '+faststart', out,
    ],
    { timeoutMs: 120_000 },
  );
}

async function createDemoClips(ctx: AppContext, userIds: Record<string, string>) {
  await fs.mkdir(stagingDir(ctx), { recursive: true });
  for (const clip of DEMO_CLIPS) {
    const userId = userIds[clip.author];
    if (!userId) continue;
    const file = path.join(stagingDir(ctx), `demo-${randomBytes(6).toString('hex')}.mp4`);
    try {
      await renderClip(ctx, clip, file);
      await createVideoFromFile(ctx, userId, file, { caption: clip.caption, visibility: 'public' });
    } catch (err) {
      // Demo clips are a nicety: a machine without ffmpeg still gets the demo accounts.
      ctx.log.warn({ err }, 'demo clip not created');
      await fs.rm(file, { force: true });
    }
  }
}

// Rendering takes a few seconds per clip: it runs in the background so the server starts
// listening at once; the clips appear in the feed as the worker finishes them.
addDemoSeeder(async (ctx, userIds) => {
  void createDemoClips(ctx, userIds).catch((err) => ctx.log.warn({ err }, 'demo clips failed'));
});
