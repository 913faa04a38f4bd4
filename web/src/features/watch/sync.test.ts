import { describe, expect, it } from 'vitest';
import { ClockSync, decide, DEFAULT_TUNING, expectedPosition, offsetOf, type PlaybackState, rateFor, roundTripOf, SeekLead, StateTimeline } from './sync.ts';

const state = (over: Partial<PlaybackState> = {}): PlaybackState => ({ videoId: 'v1', playing: true, positionMs: 1_000, at: 10_000, rev: 1, ...over });
const view = (over: Partial<{ videoId: string | null; positionMs: number; playing: boolean; busy: boolean }> = {}) => ({
  videoId: 'v1',
  positionMs: 0,
  playing: true,
  busy: false,
  ...over,
});

describe('ClockSync', () => {
  it('computes NTP offset and round trip', () => {
    // Server clock is 500 ms ahead; 40 ms up, 60 ms down, 2 ms on the server.
    const s = { t0: 1_000, t1: 1_540, t2: 1_542, t3: 1_102 };
    expect(roundTripOf(s)).toBe(100);
    expect(offsetOf(s)).toBe(490); // asymmetric paths: off by half the difference (10 ms)
  });

  it('keeps the sample with the least round trip', () => {
    const c = new ClockSync();
    expect(c.offset).toBe(0);
    c.add({ t0: 0, t1: 560, t2: 560, t3: 150 }); // rtt 150, offset 485
    c.add({ t0: 1_000, t1: 1_505, t2: 1_506, t3: 1_011 }); // rtt 10, offset 500
    c.add({ t0: 2_000, t1: 2_600, t2: 2_600, t3: 2_200 }); // rtt 200, offset 500
    expect(c.offset).toBe(500);
    expect(c.uncertainty).toBe(5);
    expect(c.serverNow(3_000)).toBe(3_500);
  });

  it('ignores a sample whose clock went backwards, and forgets old ones', () => {
    const c = new ClockSync();
    c.add({ t0: 100, t1: 0, t2: 0, t3: 50 }); // negative round trip
    expect(c.count).toBe(0);
    c.add({ t0: 0, t1: 100, t2: 100, t3: 2 }); // the best, then aged out
    for (let i = 1; i <= 16; i++) c.add({ t0: i * 1000, t1: i * 1000 + 300, t2: i * 1000 + 300, t3: i * 1000 + 20 });
    expect(c.count).toBe(16);
    expect(c.uncertainty).toBe(10);
    expect(c.offset).toBe(290);
  });
});

describe('StateTimeline', () => {
  it('holds the previous state until the next one’s instant, and drops older revs', () => {
    const t = new StateTimeline();
    expect(t.holding(0)).toBeNull();
    t.push(state({ rev: 1, at: 1_000, playing: true, positionMs: 0 }));
    t.push(state({ rev: 3, at: 5_000, playing: false, positionMs: 4_000 }));
    expect(t.push(state({ rev: 2, at: 4_000 }))).toBe(false);
    expect(t.holding(500)?.rev).toBe(1); // a joiner waits in the oldest it knows
    expect(t.holding(4_999)?.rev).toBe(1);
    expect(t.upcoming(4_999)?.rev).toBe(3);
    expect(t.holding(5_000)?.rev).toBe(3);
    expect(t.upcoming(5_000)).toBeNull();
  });

  it('starts over for a new session (its revs start again)', () => {
    const t = new StateTimeline();
    t.push(state({ rev: 7, at: 1_000, sessionId: 's1' }));
    expect(t.push(state({ rev: 1, at: 2_000, sessionId: 's2', videoId: 'v9' }))).toBe(true);
    expect(t.holding(1_500)?.videoId).toBe('v9');
  });
});

describe('expectedPosition', () => {
  it('waits at positionMs until `at`, then advances; paused stays; clamps to the clip', () => {
    expect(expectedPosition(state(), 9_000)).toBe(1_000);
    expect(expectedPosition(state(), 10_250)).toBe(1_250);
    expect(expectedPosition(state({ playing: false }), 20_000)).toBe(1_000);
    expect(expectedPosition(state(), 100_000, 5_000)).toBe(5_000);
  });
});

describe('decide', () => {
  it('waits paused at the start position before a scheduled start, then plays', () => {
    const before = decide(state(), 9_800, view({ positionMs: 1_000, playing: false }));
    expect(before).toMatchObject({ play: false, seekTo: null });
    const after = decide(state(), 10_000, view({ positionMs: 1_000, playing: false }));
    expect(after).toMatchObject({ play: true, seekTo: null, rate: 1 });
  });

  it('corrects small drift by rate within 0.95–1.05 and large drift by seeking ahead by the seek lead', () => {
    expect(decide(state(), 11_000, view({ positionMs: 2_010 })).rate).toBe(1); // dead band
    expect(decide(state(), 11_000, view({ positionMs: 2_050 })).rate).toBeCloseTo(0.95);
    expect(decide(state(), 11_000, view({ positionMs: 1_970 })).rate).toBeCloseTo(1.03);
    expect(decide(state(), 11_000, view({ positionMs: 1_800 })).rate).toBe(1.05);
    const far = decide(state(), 11_000, view({ positionMs: 1_500 }), { seekLeadMs: 80 });
    expect(far).toMatchObject({ seekTo: 2_080, play: true, rate: 1 });
  });

  it('pauses on the paused frame and moves there when off; switches clips in one step', () => {
    const paused = state({ playing: false, positionMs: 3_000 });
    expect(decide(paused, 11_000, view({ positionMs: 3_020, playing: true }))).toMatchObject({ play: false, seekTo: null });
    expect(decide(paused, 11_000, view({ positionMs: 3_200, playing: false }))).toMatchObject({ play: false, seekTo: 3_000 });
    const other = decide(state({ videoId: 'v2', positionMs: 0 }), 10_500, view({ videoId: 'v1', positionMs: 7_000 }), { seekLeadMs: 50 });
    expect(other).toMatchObject({ videoId: 'v2', seekTo: 550, play: true });
  });

  it('leaves a busy player alone, and stops at the end of the clip', () => {
    expect(decide(state(), 11_000, view({ positionMs: 5_000, busy: true }))).toMatchObject({ seekTo: null, rate: 1 });
    expect(decide(state(), 100_000, view({ positionMs: 5_000, playing: true }), { durationMs: 5_000 })).toMatchObject({ play: false });
  });

  it('rate is bounded and monotonic in drift', () => {
    let last = Number.POSITIVE_INFINITY;
    for (let d = -400; d <= 400; d += 10) {
      const r = rateFor(d);
      expect(r).toBeGreaterThanOrEqual(DEFAULT_TUNING.minRate);
      expect(r).toBeLessThanOrEqual(DEFAULT_TUNING.maxRate);
      expect(r).toBeLessThanOrEqual(last);
      last = r;
    }
  });
});

describe('SeekLead', () => {
  it('moves toward observed seek times, bounded', () => {
    const l = new SeekLead(60, 0.5, 500);
    l.observe(100);
    expect(l.valueMs).toBe(80);
    l.observe(10_000);
    expect(l.valueMs).toBe(500);
  });
});
