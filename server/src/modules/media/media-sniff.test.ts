import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkIsoStructure, sniffContainer } from './media-sniff.ts';

const box = (type: string, body: Buffer, size = body.length + 8) => {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(size, 0);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, body]);
};

describe('sniffContainer', () => {
  it('recognises MP4/MOV and Matroska/WebM by their bytes', () => {
    expect(sniffContainer(box('ftyp', Buffer.from('isom0000')))).toMatchObject({ ok: true, demuxer: 'mov', label: 'mp4' });
    expect(sniffContainer(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84, ...Buffer.from('webm')]))).toMatchObject({ ok: true, demuxer: 'matroska', label: 'webm' });
  });
  it('refuses playlists, concat lists and text with a reason', () => {
    expect(sniffContainer(Buffer.from('#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd'))).toMatchObject({ ok: false, reason: expect.stringMatching(/playlist/) });
    expect(sniffContainer(Buffer.from('ffconcat version 1.0\n'))).toMatchObject({ ok: false, reason: expect.stringMatching(/concat/) });
    expect(sniffContainer(Buffer.from('GIF89a....'))).toMatchObject({ ok: false });
    expect(sniffContainer(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'the file is empty' });
  });
});

describe('checkIsoStructure', () => {
  const write = (b: Buffer) => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sniff-')), 'x.mp4');
    fs.writeFileSync(f, b);
    return f;
  };
  it('accepts whole files and finds boxes running past the end', async () => {
    const whole = Buffer.concat([box('ftyp', Buffer.from('isom0000')), box('moov', Buffer.alloc(16)), box('mdat', Buffer.alloc(64))]);
    expect(await checkIsoStructure(write(whole))).toBeNull();
    expect(await checkIsoStructure(write(whole.subarray(0, whole.length - 10)))).toMatch(/truncated/);
    expect(await checkIsoStructure(write(Buffer.concat([box('ftyp', Buffer.from('isom0000')), box('mdat', Buffer.alloc(8))])))).toMatch(/movie header/);
  });
});
