import { ClockSync, decide, nextSampleDelayMs, type PlaybackState, type PlayerView, SeekLead, StateTimeline, type SyncStep } from './sync.ts';

/**
 * Runs the sync of sync.ts against a player: takes clock samples, keeps the states, and every
 * tick (and exactly at each scheduled instant) tells the player what to do. The same class drives
 * the web's <video> and the bench's simulated players; what differs is behind `PlayerPort`.
 */

/** A player as the controller drives it. */
export interface PlayerPort {
  view(): PlayerView;
  /** Shows `videoId` (loading it if it is another clip) at `positionMs`. */
  show(videoId: string, positionMs: number): void;
  play(): void;
  pause(): void;
  setRate(rate: number): void;
  /** Starts loading a clip that is about to be shown (optional). */
  preload?(videoId: string): void;
  /** The clip's length once known. */
  durationMs?(): number | undefined;
}

export interface ControllerDeps {
  player: PlayerPort;
  /** The local clock, ms (performance.timeOrigin + performance.now() in a browser). */
  localNow(): number;
  /** Sends a `time` frame with this t0; false when the socket is not open. */
  sendTime(t0: number): boolean;
  /** Runs `fn` after `ms`; returns a cancel. */
  schedule(fn: () => void, ms: number): () => void;
  /** How often to re-check drift while nothing is scheduled. */
  tickMs?: number;
}

export class WatchSyncController {
  readonly clock = new ClockSync();
  readonly timeline = new StateTimeline();
  readonly seekLead = new SeekLead();
  last: SyncStep | null = null;
  private samplesSent = 0;
  private cancelTick: (() => void) | null = null;
  private cancelSample: (() => void) | null = null;
  private seekStartedAt: number | null = null;
  private stopped = false;

  constructor(private readonly deps: ControllerDeps) {}

  start(): void {
    this.stopped = false;
    this.sample();
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTick?.();
    this.cancelSample?.();
  }

  /** A `time` answer from the server. */
  onTime(f: { t0: number; t1: number; t2: number }): void {
    this.clock.add({ t0: f.t0, t1: f.t1, t2: f.t2, t3: this.deps.localNow() });
    this.tick();
  }

  /** A `watch.state` (null: the session ended). */
  onState(s: PlaybackState | null): void {
    if (!s) {
      this.timeline.clear();
      this.deps.player.pause();
      return;
    }
    if (this.timeline.push(s)) this.tick();
  }

  /** Server time now, by the best clock sample. */
  serverNow(): number {
    return this.clock.serverNow(this.deps.localNow());
  }

  private sample() {
    if (this.stopped) return;
    if (this.deps.sendTime(this.deps.localNow())) this.samplesSent += 1;
    this.cancelSample = this.deps.schedule(() => this.sample(), nextSampleDelayMs(this.samplesSent));
  }

  /** Decides and applies; then waits for the next tick or the next scheduled instant, whichever is first. */
  tick(): void {
    if (this.stopped) return;
    this.cancelTick?.();
    const now = this.serverNow();
    const state = this.timeline.holding(now);
    const player = this.deps.player;
    let wait = this.deps.tickMs ?? 100;
    if (state) {
      const view = player.view();
      if (this.seekStartedAt !== null && !view.busy) {
        this.seekLead.observe(this.deps.localNow() - this.seekStartedAt);
        this.seekStartedAt = null;
      }
      const step = decide(state, now, view, { durationMs: player.durationMs?.(), seekLeadMs: this.seekLead.valueMs });
      this.apply(step, view);
      this.last = step;
      const next = this.timeline.upcoming(now);
      if (next) {
        if (next.videoId !== view.videoId) player.preload?.(next.videoId);
        wait = Math.min(wait, Math.max(0, next.at - now));
      }
    }
    this.cancelTick = this.deps.schedule(() => this.tick(), wait);
  }

  private apply(step: SyncStep, view: PlayerView) {
    const player = this.deps.player;
    if (step.seekTo !== null) {
      player.show(step.videoId, step.seekTo);
      if (step.play) this.seekStartedAt = this.deps.localNow();
    }
    if (step.play && !view.playing) player.play();
    if (!step.play && view.playing) player.pause();
    player.setRate(step.rate);
  }
}
