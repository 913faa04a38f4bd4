import type { Rendition } from './media.repo.ts';

/**
 * The HLS ladder for (mostly vertical) short video, chosen by the short side so a 9:16 and
 * a 16:9 clip of the same quality get the same rungs. Never upscaled: a rung is used only
 * when the source's short side reaches it; a smaller source gets one rung at its own size.
 * Listed lowest first: the lowest is encoded and published first so playback starts early.
 */
export const LADDER = [
  { name: '240p', short: 240, videoKbps: 400 },
  { name: '480p', short: 480, videoKbps: 1000 },
  { name: '720p', short: 720, videoKbps: 2500 },
  { name: '1080p', short: 1080, videoKbps: 5000 },
] as const;

export const AUDIO_KBPS = 96;

export interface Rung {
  name: string;
  width: number;
  height: number;
  videoKbps: number;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** The rungs for a source of display size width×height (after rotation). */
export function ladderFor(width: number, height: number): Rung[] {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const portrait = height >= width;
  const size = (s: number) => {
    const l = even((s * long) / short);
    return portrait ? { width: even(s), height: l } : { width: l, height: even(s) };
  };
  const rungs: Rung[] = LADDER.filter((r) => r.short <= short).map((r) => ({ name: r.name, videoKbps: r.videoKbps, ...size(r.short) }));
  if (rungs.length === 0) rungs.push({ name: 'source', videoKbps: 300, ...size(short) });
  return rungs;
}

/** The master playlist for the renditions published so far (lowest bandwidth first). */
export function masterPlaylist(renditions: readonly Rendition[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of [...renditions].sort((a, b) => a.bandwidth - b.bandwidth)) {
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth},RESOLUTION=${r.width}x${r.height},CODECS="${r.codecs}"`, `${r.name}/index.m3u8`);
  }
  return `${lines.join('\n')}\n`;
}

/** ffmpeg output arguments for one rung: H.264 High + AAC in 2-second HLS segments. */
export function rungArgs(r: Rung, dir: string, preset: string, hasAudio: boolean): string[] {
  return [
    '-map',
    '0:v:0',
    ...(hasAudio ? ['-map', '0:a:0'] : []),
    '-vf',
    `scale=${r.width}:${r.height}:flags=bicubic,format=yuv420p`,
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-profile:v',
    'high',
    '-level:v',
    '4.1',
    '-crf',
    '23',
    '-maxrate',
    `${r.videoKbps}k`,
    '-bufsize',
    `${r.videoKbps * 2}k`,
    // Keyframes every 2 s in every rung, so the player can switch rungs at any segment.
    '-force_key_frames',
    'expr:gte(t,n_forced*2)',
    '-sc_threshold',
    '0',
    ...(hasAudio ? ['-c:a', 'aac', '-b:a', `${AUDIO_KBPS}k`, '-ac', '2', '-ar', '48000'] : ['-an']),
    '-sn',
    '-dn',
    '-map_metadata',
    '-1',
    '-f',
    'hls',
    '-hls_time',
    '2',
    '-hls_playlist_type',
    'vod',
    '-hls_flags',
    'independent_segments',
    '-hls_segment_filename',
    `${dir}/seg_%03d.ts`,
    `${dir}/index.m3u8`,
  ];
}

export const codecsFor = (hasAudio: boolean) => (hasAudio ? 'avc1.640029,mp4a.40.2' : 'avc1.640029');
export const bandwidthFor = (r: Rung, hasAudio: boolean) => Math.round((r.videoKbps * 1.1 + (hasAudio ? AUDIO_KBPS : 0)) * 1000);
