// `npm run bench:media`: the whole upload → probe → queue → transcode → publish pipeline for a
// 30-second 1080×1920 clip, against bare ffmpeg running the very same commands (poster + every
// rung, same arguments, same order) in the same run. Also: time to the first playable rendition.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/src/app/config.ts';
import { transcode } from '../server/src/platform/ffmpeg/ffmpeg.ts';
import { ladderFor, rungArgs } from '../server/src/modules/media/ladder.ts';
import { startTestServer } from '../server/test/harness.ts';
import { machineNote, recordSection, table } from './lib/report.ts';

const SECONDS = Number(process.env.BENCH_CLIP_SECONDS ?? 30);
const W = 1080;
const H = 1920;
const preset = loadConfig({}).media.preset;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-bench-media-'));
const source = path.join(work, 'source.mp4');
console.log(`making a ${SECONDS} s ${W}×${H} test clip…`);
execFileSync('ffmpeg', [
  '-nostdin', '-v', 'error', '-y',
  '-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=30:duration=${SECONDS}`,
  '-f', 'lavfi', '-i', `sine=frequency=330:duration=${SECONDS}`,
  '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-shortest', source,
]);

async function bare() {
  const out = path.join(work, 'bare');
  fs.mkdirSync(out, { recursive: true });
  const tools = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', root: work };
  const t0 = performance.now();
  execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', source]);
  await transcode(tools, 'mov', source, ['-ss', '1', '-frames:v', '1', '-vf', 'scale=720:-2', '-q:v', '4', '-f', 'image2', path.join(out, 'poster.jpg')], { timeoutMs: 600_000 });
  let first = 0;
  for (const rung of ladderFor(W, H)) {
    const dir = path.join(out, rung.name);
    fs.mkdirSync(dir, { recursive: true });
    await transcode(tools, 'mov', source, rungArgs(rung, dir, preset, true), { timeoutMs: 600_000 });
    if (!first) first = performance.now() - t0;
  }
  return { total: performance.now() - t0, first };
}

async function pipeline() {
  const s = await startTestServer({ env: { JOB_POLL_MS: '100' } });
  try {
    const user = await s.make.user();
    const form = new FormData();
    form.append('caption', 'bench #loop');
    form.append('file', new Blob([new Uint8Array(fs.readFileSync(source))]), 'bench.mp4');
    const t0 = performance.now();
    const res = await s.api('POST', '/videos', { token: user.token, form });
    if (res.status !== 202) throw new Error(JSON.stringify(res.body));
    const accepted = performance.now() - t0;
    let first = 0;
    for (;;) {
      const v = (await s.api('GET', `/videos/${res.body.video.id}`, { token: user.token })).body.video;
      if (!first && v.hlsUrl) first = performance.now() - t0;
      if (v.status === 'failed') throw new Error(v.failureReason);
      if (v.progress === 100) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { total: performance.now() - t0, first, accepted };
  } finally {
    await s.close();
  }
}

const sec = (ms: number) => (ms / 1000).toFixed(1);
// Bare first, then the pipeline, then bare again: the machine is shared, so the baseline is
// the mean of the runs around the measured one.
const b1 = await bare();
console.log(`bare ffmpeg: ${sec(b1.total)} s (first rung ${sec(b1.first)} s)`);
const p = await pipeline();
console.log(`pipeline: ${sec(p.total)} s (accepted ${sec(p.accepted)} s, playable ${sec(p.first)} s)`);
const b2 = await bare();
console.log(`bare ffmpeg: ${sec(b2.total)} s (first rung ${sec(b2.first)} s)`);
const bareTotal = (b1.total + b2.total) / 2;
const bareFirst = (b1.first + b2.first) / 2;
fs.rmSync(work, { recursive: true, force: true });

const rungs = ladderFor(W, H).map((r) => r.name).join(', ');
const md = `## Media: upload → transcode pipeline vs bare ffmpeg

\`npm run bench:media\` — a ${SECONDS} s ${W}×${H} H.264/AAC clip (lavfi testsrc2 + sine) uploaded with multipart \`POST /videos\` on PGlite
and local storage, until every rendition is published (${rungs}; x264 preset \`${preset}\`, poster). Bare ffmpeg runs the same
probe, poster and rung commands back to back; its figure is the mean of a run before and a run after the pipeline.

${table(
  ['', 'bare ffmpeg', 'pipeline', 'pipeline / bare'],
  [
    ['all renditions published', `${sec(bareTotal)} s`, `${sec(p.total)} s`, (p.total / bareTotal).toFixed(2)],
    ['first playable rendition (poster + 240p)', `${sec(bareFirst)} s`, `${sec(p.first)} s`, (p.first / bareFirst).toFixed(2)],
    ['upload accepted (202, after probe)', '', `${sec(p.accepted)} s`, ''],
  ],
)}

Target: pipeline / bare ≤ 1.15. ${machineNote()} Load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) at the end of the run.`;
console.log(`\n${md}`);
recordSection('media', md);
