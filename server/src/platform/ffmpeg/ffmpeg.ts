import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The only way Loop runs ffprobe/ffmpeg. Every run:
 * - reads only a regular file inside `root` (DATA_DIR), never a URL or a device;
 * - forces the demuxer we recognised from the bytes (`-f mov|matroska`), so playlist,
 *   concat and image-sequence demuxers can never be chosen by the file itself;
 * - whitelists the `file` protocol only (no http, tcp, data, concat, subfile…);
 * - gets no stdin (closed; ffmpeg also `-nostdin`) and is SIGKILLed after its time limit.
 */
export type Demuxer = 'mov' | 'matroska';

export interface ToolPaths {
  ffmpeg: string;
  ffprobe: string;
  /** Inputs and outputs must lie under this directory. */
  root: string;
}

export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly stderr = '',
  ) {
    super(message);
  }
}

/** Resolves `file` and checks it is a regular file under `root` (symlinks resolved). */
export async function assertInsideRoot(root: string, file: string): Promise<string> {
  const realRoot = await fs.realpath(root);
  const real = await fs.realpath(file);
  const rel = path.relative(realRoot, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new FfmpegError('input is outside the data directory');
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new FfmpegError('input is not a regular file');
  return real;
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with seconds of output written so far (from `-progress pipe:1`). */
  onProgress?: (outSeconds: number) => void;
  /** A niceness (1–19) for work that should yield the CPU to everything else. */
  niceness?: number;
}

/** Spawns a tool with a hard time limit; resolves with stdout, rejects with the stderr tail. */
export function runTool(bin: string, args: string[], opts: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    if (opts.niceness && child.pid) {
      try {
        os.setPriority(child.pid, opts.niceness);
      } catch {
        // Not allowed here: it just runs at normal priority.
      }
    }
    let stdout = '';
    let stderr = '';
    let killedFor: string | null = null;
    const kill = (why: string) => {
      killedFor = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`timed out after ${Math.round(opts.timeoutMs / 1000)} s`), opts.timeoutMs);
    const onAbort = () => kill('stopped');
    opts.signal?.addEventListener('abort', onAbort);
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      if (opts.onProgress) {
        for (const m of text.matchAll(/out_time_(?:us|ms)=(\d+)/g)) opts.onProgress(Number(m[1]) / 1e6);
      } else if (stdout.length < 4 * 1024 * 1024) stdout += text;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new FfmpegError(`${path.basename(bin)} could not start: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (killedFor) reject(new FfmpegError(`${path.basename(bin)} ${killedFor}`, stderr));
      else if (code !== 0) reject(new FfmpegError(`${path.basename(bin)} exited with ${code}: ${lastLine(stderr)}`, stderr));
      else resolve(stdout);
    });
  });
}

const lastLine = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .slice(-1)[0]
    ?.slice(0, 300) ?? '';

/** The arguments every input gets: no stdin, files only, the recognised demuxer. */
export function inputArgs(demuxer: Demuxer, file: string): string[] {
  return ['-protocol_whitelist', 'file', '-f', demuxer, '-i', `file:${file}`];
}

export interface ProbeResult {
  formatName: string;
  durationSec: number;
  video: { codec: string; width: number; height: number; rotation: number } | null;
  hasAudio: boolean;
}

/** ffprobe as JSON, time-limited. */
export async function probe(tools: ToolPaths, demuxer: Demuxer, file: string, timeoutMs = 20_000): Promise<ProbeResult> {
  const real = await assertInsideRoot(tools.root, file);
  const out = await runTool(
    tools.ffprobe,
    ['-hide_banner', '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...inputArgs(demuxer, real)],
    { timeoutMs },
  ).catch((err: FfmpegError) => {
    throw new FfmpegError(`ffprobe could not read it: ${lastLine(err.stderr) || err.message}`, err.stderr);
  });
  let json: { format?: { format_name?: string; duration?: string }; streams?: Array<Record<string, any>> };
  try {
    json = JSON.parse(out);
  } catch {
    throw new FfmpegError('ffprobe gave no readable answer');
  }
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  let rotation = 0;
  for (const sd of v?.side_data_list ?? []) if (typeof sd.rotation === 'number') rotation = sd.rotation;
  if (v?.tags?.rotate) rotation = Number(v.tags.rotate) || 0;
  return {
    formatName: json.format?.format_name ?? '',
    durationSec: Number(json.format?.duration ?? v?.duration ?? 0) || 0,
    video: v ? { codec: String(v.codec_name), width: Number(v.width) || 0, height: Number(v.height) || 0, rotation } : null,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
  };
}

/** Runs ffmpeg on one validated input; `outputArgs` must write only under `root`. */
export async function transcode(
  tools: ToolPaths,
  demuxer: Demuxer,
  file: string,
  outputArgs: string[],
  opts: RunOptions,
): Promise<void> {
  const real = await assertInsideRoot(tools.root, file);
  const progress = opts.onProgress ? ['-progress', 'pipe:1', '-nostats'] : [];
  await runTool(tools.ffmpeg, ['-nostdin', '-hide_banner', '-v', 'error', '-y', ...progress, ...inputArgs(demuxer, real), ...outputArgs], opts);
}
