import type { PlayerPort } from './controller.ts';
import type { PlayerView } from './sync.ts';

/** What the player needs to show a clip. */
export interface ClipSource {
  hlsUrl: string | null;
  posterUrl: string | null;
  durationMs: number;
}

/**
 * The sync controller's player on a <video>: native HLS where the browser has it, hls.js
 * (loaded on first use) elsewhere. A clip being loaded reports the position it is going to and
 * `busy`, so the controller waits for it rather than correcting a player that is not moving yet.
 */
export class HtmlPlayer implements PlayerPort {
  private videoId: string | null = null;
  private loading = false;
  private pendingMs = 0;
  private duration: number | undefined;
  private destroyHls = () => {};
  private token = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly resolve: (videoId: string) => Promise<ClipSource>,
    /** Told when a clip cannot be shown (gone, or not visible to this person). */
    private readonly onError: (videoId: string, err: unknown) => void = () => {},
  ) {}

  view(): PlayerView {
    if (this.loading) return { videoId: this.videoId, positionMs: this.pendingMs, playing: !this.video.paused, busy: true };
    const v = this.video;
    // Not enough data to move (HAVE_FUTURE_DATA) or seeking: the position is where it is going.
    return { videoId: this.videoId, positionMs: v.currentTime * 1000, playing: !v.paused, busy: v.seeking || v.readyState < 3 };
  }

  show(videoId: string, positionMs: number): void {
    if (videoId === this.videoId) {
      if (this.loading) this.pendingMs = positionMs;
      else this.video.currentTime = positionMs / 1000;
      return;
    }
    this.videoId = videoId;
    this.loading = true;
    this.pendingMs = positionMs;
    const token = ++this.token;
    this.resolve(videoId).then(
      (clip) => {
        if (token === this.token) this.attach(clip, token);
      },
      (err) => {
        if (token === this.token) this.onError(videoId, err);
      },
    );
  }

  private attach(clip: ClipSource, token: number) {
    const video = this.video;
    this.destroyHls();
    this.duration = clip.durationMs;
    if (clip.posterUrl) video.poster = clip.posterUrl;
    const ready = () => {
      if (token !== this.token) return;
      video.currentTime = this.pendingMs / 1000;
      this.loading = false;
    };
    video.addEventListener('loadedmetadata', ready, { once: true });
    if (!clip.hlsUrl) return;
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = clip.hlsUrl;
      return;
    }
    let cancelled = false;
    this.destroyHls = () => {
      cancelled = true;
    };
    void import('hls.js').then(({ default: Hls }) => {
      if (cancelled || token !== this.token || !Hls.isSupported()) return;
      const hls = new Hls({ capLevelToPlayerSize: true, maxBufferLength: 30, startLevel: 0 });
      hls.loadSource(clip.hlsUrl!);
      hls.attachMedia(video);
      this.destroyHls = () => hls.destroy();
    });
  }

  play(): void {
    this.video.play().catch(() => {});
  }

  pause(): void {
    this.video.pause();
  }

  setRate(rate: number): void {
    if (Math.abs(this.video.playbackRate - rate) > 0.001) this.video.playbackRate = rate;
  }

  durationMs(): number | undefined {
    const d = this.video.duration;
    return Number.isFinite(d) && d > 0 ? d * 1000 : this.duration;
  }

  destroy(): void {
    this.token += 1;
    this.destroyHls();
  }
}
