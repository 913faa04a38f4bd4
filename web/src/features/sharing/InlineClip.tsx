import { useEffect, useRef } from 'react';

/**
 * Plays one HLS clip: native HLS where the browser has it (Safari, iOS), else hls.js, loaded
 * only when a clip is actually played (it is a large library; the chat should not pay for it).
 */
export function InlineClip({ src, poster, label, className }: { src: string; poster: string | null; label: string; className?: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    let destroy = () => {};
    let cancelled = false;
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src;
      video.play().catch(() => {});
    } else {
      void import('hls.js').then(({ default: Hls }) => {
        if (cancelled || !Hls.isSupported()) return;
        const hls = new Hls({ capLevelToPlayerSize: true, startLevel: 0 });
        hls.loadSource(src);
        hls.attachMedia(video);
        video.play().catch(() => {});
        destroy = () => hls.destroy();
      });
    }
    return () => {
      cancelled = true;
      destroy();
    };
  }, [src]);
  // biome-ignore lint/a11y/useMediaCaption: clips are people's own uploads and carry no caption track; the caption text shows beside the clip.
  return <video ref={ref} className={className} poster={poster ?? undefined} aria-label={label} playsInline controls loop />;
}
