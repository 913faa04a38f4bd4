import fs from 'node:fs/promises';
import type { Demuxer } from '../../platform/ffmpeg/ffmpeg.ts';

/**
 * Recognises a video container by its first bytes, before any tool looks at the file.
 * Only ISO-BMFF/QuickTime (MP4, MOV, M4V, 3GP) and Matroska/WebM are accepted: text
 * (HLS playlists, ffconcat lists, SDP), images and everything else are refused here.
 */
export type SniffResult = { ok: true; demuxer: Demuxer; label: string } | { ok: false; reason: string };

const ISO_TOP_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid', 'meta', 'moof', 'mfra', 'styp', 'sidx', 'pdin', 'prft', 'emsg']);

export function sniffContainer(head: Buffer): SniffResult {
  if (head.length === 0) return { ok: false, reason: 'the file is empty' };
  if (head.length >= 12) {
    const type = head.toString('latin1', 4, 8);
    if (type === 'ftyp') {
      const brand = head.toString('latin1', 8, 12);
      return { ok: true, demuxer: 'mov', label: brand === 'qt  ' ? 'mov' : 'mp4' };
    }
    if (ISO_TOP_BOXES.has(type) && type !== 'ftyp') return { ok: true, demuxer: 'mov', label: 'mov' };
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) {
    const doctype = head.subarray(0, 64).toString('latin1');
    return { ok: true, demuxer: 'matroska', label: doctype.includes('webm') ? 'webm' : 'mkv' };
  }
  const text = head.subarray(0, 32).toString('latin1').trimStart();
  if (text.startsWith('#EXTM3U')) return { ok: false, reason: 'playlists (HLS/M3U) are not videos' };
  if (text.startsWith('ffconcat') || /^file\s+['"]?/.test(text)) return { ok: false, reason: 'concat lists are not videos' };
  return { ok: false, reason: 'not a supported video file (MP4, MOV, WebM or MKV)' };
}

/**
 * Walks the top-level ISO-BMFF boxes and checks that every declared box fits in the file
 * and that the movie header exists: a truncated upload fails here, cheaply, instead of
 * halfway through a transcode.
 */
export async function checkIsoStructure(file: string): Promise<string | null> {
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const header = Buffer.alloc(16);
    let offset = 0;
    let sawMoov = false;
    let sawMdat = false;
    let boxes = 0;
    while (offset < size) {
      if (++boxes > 10_000) return 'too many top-level boxes';
      const { bytesRead } = await fh.read(header, 0, 16, offset);
      if (bytesRead < 8) return 'the file is truncated (partial box header)';
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (boxSize === 1) {
        if (bytesRead < 16) return 'the file is truncated (partial box header)';
        boxSize = Number(header.readBigUInt64BE(8));
      } else if (boxSize === 0) boxSize = size - offset; // "to end of file"
      if (boxSize < 8) return `malformed box "${type.replace(/[^\x20-\x7e]/g, '?')}"`;
      if (offset + boxSize > size) return 'the file is truncated (a box runs past the end of the file)';
      if (type === 'moov') sawMoov = true;
      if (type === 'mdat') sawMdat = true;
      if (type === 'moof') sawMdat = true;
      offset += boxSize;
    }
    if (!sawMoov) return 'the file has no movie header (moov box); it may be truncated';
    if (!sawMdat) return 'the file has no media data';
    return null;
  } finally {
    await fh.close();
  }
}

/** Reads the first bytes of a file for sniffing. */
export async function readHead(file: string, bytes = 64): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
