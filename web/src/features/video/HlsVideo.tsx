import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

export interface HlsVideoProps {
  src: string | null;
  poster: string | null;
  /** The clip on screen: plays; others pause. */
  active: boolean;
  /** The next clip: attach and buffer ahead so the swipe starts instantly. */
  preload: boolean;
  muted: boolean;
  onTime?: (ms: number, durationMs: number) => void;
  onEnded?: () => void;
  label: string;
}

/**
 * One HLS clip. Native HLS where the browser has it (Safari, iOS), hls.js (loaded on first use) elsewhere. The
 * player is attached only for the active clip and the next one, so a long feed does not keep
 * dozens of decoders and buffers alive.
 */
export const HlsVideo = forwardRef<HTMLVideoElement | null, HlsVideoProps>(function HlsVideo({ src, poster, active, preload, muted, onTime, onEnded, label }, outer) {
  const ref = useRef<HTMLVideoElement>(null);
  useImperativeHandle(outer, () => ref.current as HTMLVideoElement);
  const attach = active || preload;
  const activeRef = useRef(active);
  activeRef.current = active;

  useEffect(() => {
    const video = ref.current;
    if (!video || !src || !attach) return;
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src;
      return () => {
        video.removeAttribute('src');
        video.load();
      };
    }
    // hls.js is a large library: its own chunk, fetched the first time a clip is attached here.
    let destroy = () => {};
    let cancelled = false;
    void import('hls.js').then(({ default: Hls }) => {
      if (cancelled || !Hls.isSupported()) return;
      const hls = new Hls({ capLevelToPlayerSize: true, maxBufferLength: 10, startLevel: 0 });
      hls.loadSource(src);
      hls.attachMedia(video);
      destroy = () => hls.destroy();
      // The play() of the effect below ran before the library arrived; attaching a source aborts it.
      if (activeRef.current) video.play().catch(() => {});
    });
    return () => {
      cancelled = true;
      destroy();
    };
  }, [src, attach]);

  // A new source needs play() again once it is attached.
  // biome-ignore lint/correctness/useExhaustiveDependencies: src is a trigger, not read inside
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    if (active) {
      // Autoplay is allowed muted; with sound it needs a tap first (the caller handles that).
      video.play().catch(() => {});
    } else {
      video.pause();
    }
  }, [active, src]);

  return (
    <video
      ref={ref}
      className="clip__video"
      poster={poster ?? undefined}
      muted={muted}
      playsInline
      loop
      preload={attach ? 'auto' : 'none'}
      aria-label={label}
      onTimeUpdate={(e) => onTime?.(e.currentTarget.currentTime * 1000, e.currentTarget.duration * 1000)}
      onEnded={onEnded}
    />
  );
});
