import { describe, expect, it } from 'vitest';
import { ladderFor, masterPlaylist } from './ladder.ts';

describe('ladderFor', () => {
  it('gives a 1080×1920 clip every rung, vertical, lowest first', () => {
    expect(ladderFor(1080, 1920).map((r) => `${r.name}:${r.width}x${r.height}`)).toEqual([
      '240p:240x426',
      '480p:480x854',
      '720p:720x1280',
      '1080p:1080x1920',
    ]);
  });
  it('never upscales', () => {
    expect(ladderFor(720, 1280).map((r) => r.name)).toEqual(['240p', '480p', '720p']);
    expect(ladderFor(1280, 720).map((r) => `${r.width}x${r.height}`)).toEqual(['426x240', '854x480', '1280x720']);
  });
  it('keeps a tiny source at its own size', () => {
    expect(ladderFor(90, 160)).toEqual([{ name: 'source', width: 90, height: 160, videoKbps: 300 }]);
  });
});

describe('masterPlaylist', () => {
  it('lists renditions by bandwidth', () => {
    const text = masterPlaylist([
      { name: '480p', width: 480, height: 854, bandwidth: 1_200_000, codecs: 'avc1.640029' },
      { name: '240p', width: 240, height: 426, bandwidth: 500_000, codecs: 'avc1.640029' },
    ]);
    expect(text.indexOf('240p/index.m3u8')).toBeLessThan(text.indexOf('480p/index.m3u8'));
    expect(text.startsWith('#EXTM3U\n')).toBe(true);
  });
});
