/**
 * Watch-together playback sync (docs/watch-together.md), pure and shared by the web player and
 * `bench/watch-together.ts`: nothing here touches the DOM, a socket or the real clock.
 *
 * 1. Clock: NTP-style samples over `time` frames. Each gives the offset of the server's clock
 *    from ours, with an error of at most half its round trip, so of several samples the one with
 *    the least round trip is kept.
 * 2. State: every change the server sends takes effect at its `at` (a shared instant a few
 *    hundred ms ahead); until then the previous state holds. So every client switches together
 *    however late the frame reached it.
 * 3. Player: where the clip should be now, and what to do about the difference: small drift is
 *    corrected by playback rate (inaudible at ±5 %), large drift by seeking.
 */

/** The playback part of a session (API.md `session`), plus `rev` to order states. */
export interface PlaybackState {
  videoId: string;
  playing: boolean;
  positionMs: number;
  /** Server time (ms since the epoch) from which this state holds. */
  at: number;
  rev: number;
  /** The session it belongs to: a new session starts its revs again. */
  sessionId?: string;
}

/** One exchange: t0 client send, t1 server receive, t2 server send, t3 client receive. */
export interface TimeSample {
  t0: number;
  t1: number;
  t2: number;
  t3: number;
}

export const offsetOf = (s: TimeSample) => (s.t1 - s.t0 + (s.t2 - s.t3)) / 2;
export const roundTripOf = (s: TimeSample) => s.t3 - s.t0 - (s.t2 - s.t1);

/** Samples remembered: old ones age out so a clock that moved (sleep, NTP step) is followed. */
export const CLOCK_SAMPLES_KEPT = 16;

/** The server's clock as seen from here: the offset of the least-round-trip sample among recent ones. */
export class ClockSync {
  private samples: TimeSample[] = [];

  add(sample: TimeSample): void {
    if (!(roundTripOf(sample) >= 0) || !Number.isFinite(offsetOf(sample))) return; // clock jumped mid-exchange
    this.samples.push(sample);
    if (this.samples.length > CLOCK_SAMPLES_KEPT) this.samples.shift();
  }

  get count(): number {
    return this.samples.length;
  }

  /** The best sample (least round trip), or null before the first. */
  get best(): TimeSample | null {
    let best: TimeSample | null = null;
    for (const s of this.samples) if (!best || roundTripOf(s) < roundTripOf(best)) best = s;
    return best;
  }

  /** Server time minus local time, in ms (0 before any sample). */
  get offset(): number {
    const b = this.best;
    return b ? offsetOf(b) : 0;
  }

  /** The most the offset can be wrong by: half the best round trip. */
  get uncertainty(): number {
    const b = this.best;
    return b ? roundTripOf(b) / 2 : Number.POSITIVE_INFINITY;
  }

  serverNow(localNow: number): number {
    return localNow + this.offset;
  }
}

/** Keeps the states a client has seen (at most a few) and answers which one holds at a time. */
export class StateTimeline {
  private states: PlaybackState[] = [];

  /** Adds a state; false when it is older than one already known (frames may cross). */
  push(s: PlaybackState): boolean {
    const last = this.states.at(-1);
    if (last && last.sessionId !== s.sessionId) this.states = [];
    else if (last && s.rev <= last.rev) return false;
    this.states.push(s);
    if (this.states.length > 8) this.states.shift();
    return true;
  }

  clear(): void {
    this.states = [];
  }

  get latest(): PlaybackState | null {
    return this.states.at(-1) ?? null;
  }

  /** The newest state whose `at` has come; before any has, the oldest known (a joiner waits in it). */
  holding(serverNow: number): PlaybackState | null {
    for (let i = this.states.length - 1; i >= 0; i--) if (this.states[i]!.at <= serverNow) return this.states[i]!;
    return this.states[0] ?? null;
  }

  /** The next change still to come, if any (a client preloads its clip and meets its instant). */
  upcoming(serverNow: number): PlaybackState | null {
    for (const s of this.states) if (s.at > serverNow) return s;
    return null;
  }
}

/** Where the clip should be at server time `t` in state `s` (a start not yet reached waits at `positionMs`). */
export function expectedPosition(s: PlaybackState, t: number, durationMs = Number.POSITIVE_INFINITY): number {
  const p = s.playing ? s.positionMs + Math.max(0, t - s.at) : s.positionMs;
  return Math.max(0, Math.min(p, durationMs));
}

/** Whether the clip should be moving at server time `t`. */
export const shouldPlay = (s: PlaybackState, t: number, durationMs = Number.POSITIVE_INFINITY) =>
  s.playing && t >= s.at && expectedPosition(s, t, durationMs) < durationMs;

export interface SyncTuning {
  /** Drift at or under this is left alone (a rate change costs more than it fixes). */
  deadbandMs: number;
  /** Drift over this is fixed by seeking; under it by playback rate. */
  seekOverMs: number;
  /** The rate fixes drift over about this long (drift 50 ms over 1 s: rate 0.95). */
  correctOverMs: number;
  minRate: number;
  maxRate: number;
  /** A paused player this far from the paused position is moved there. */
  pausedToleranceMs: number;
}

export const DEFAULT_TUNING: SyncTuning = { deadbandMs: 15, seekOverMs: 300, correctOverMs: 1_000, minRate: 0.95, maxRate: 1.05, pausedToleranceMs: 40 };

/** What the player looks like now. */
export interface PlayerView {
  videoId: string | null;
  positionMs: number;
  playing: boolean;
  /** A seek or a clip load is under way: the position is where it is going, not moving yet. */
  busy: boolean;
}

/** What to do now. `seekTo` comes with the source to show (`videoId`), so a switch is one step. */
export interface SyncStep {
  videoId: string;
  seekTo: number | null;
  play: boolean;
  rate: number;
  /** Position minus where it should be (ms); positive: ahead. */
  driftMs: number;
}

/** Rate that removes `drift` over `correctOverMs`, within bounds; 1 inside the dead band. */
export function rateFor(driftMs: number, t: SyncTuning = DEFAULT_TUNING): number {
  if (Math.abs(driftMs) <= t.deadbandMs) return 1;
  return Math.min(t.maxRate, Math.max(t.minRate, 1 - driftMs / t.correctOverMs));
}

/**
 * One decision: the state that holds at server time `now`, and the player's position → seek,
 * play or pause, and the rate. `seekLeadMs`: how long a seek takes to start moving again (a
 * playing player seeks that far ahead, so it lands on time).
 */
export function decide(state: PlaybackState, now: number, player: PlayerView, opts: { durationMs?: number; seekLeadMs?: number; tuning?: SyncTuning } = {}): SyncStep {
  const t = opts.tuning ?? DEFAULT_TUNING;
  const duration = opts.durationMs ?? Number.POSITIVE_INFINITY;
  const target = expectedPosition(state, now, duration);
  const play = shouldPlay(state, now, duration);
  const lead = play ? (opts.seekLeadMs ?? 0) : 0;
  if (player.videoId !== state.videoId) {
    return { videoId: state.videoId, seekTo: Math.min(target + lead, duration), play, rate: 1, driftMs: Number.NaN };
  }
  const drift = player.positionMs - target;
  // While a seek or load settles its position is where it is heading: nothing to correct yet.
  if (player.busy) return { videoId: state.videoId, seekTo: null, play, rate: 1, driftMs: drift };
  if (!play) {
    return { videoId: state.videoId, seekTo: Math.abs(drift) > t.pausedToleranceMs ? target : null, play: false, rate: 1, driftMs: drift };
  }
  if (Math.abs(drift) > t.seekOverMs) return { videoId: state.videoId, seekTo: Math.min(target + lead, duration), play: true, rate: 1, driftMs: drift };
  return { videoId: state.videoId, seekTo: null, play: true, rate: rateFor(drift, t), driftMs: drift };
}

/** A running estimate of how long seeks take (exponentially weighted; starts at a typical value). */
export class SeekLead {
  constructor(
    public valueMs = 60,
    private readonly weight = 0.3,
    private readonly maxMs = 500,
  ) {}

  observe(tookMs: number): void {
    if (!(tookMs >= 0)) return;
    this.valueMs = Math.min(this.maxMs, this.valueMs * (1 - this.weight) + tookMs * this.weight);
  }
}

/** When to take the next clock samples: a burst at first, then one every few seconds. */
export function nextSampleDelayMs(samplesTaken: number): number {
  return samplesTaken < 8 ? 150 : 5_000;
}
