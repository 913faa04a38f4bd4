import { useEffect, useRef, useState } from 'react';

/**
 * The live's HLS, played close to the edge: hls.js keeps about two 1-second segments behind the
 * newest and speeds up a little when it falls behind. The playlist appears a moment after the
 * host starts, so a missing one is asked for again every second instead of failing.
 */
export function LivePlayer({ src, label, onPlaying }: { src: string; label: string; onPlaying?: (playing: boolean) => void }) {
  const ref = useRef<HTMLVideoElement>(null);
  const [muted, setMuted] = useState(true);
  const playingRef = useRef(onPlaying);
  playingRef.current = onPlaying;

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src;
      video.play().catch(() => {});
      return () => {
        video.removeAttribute('src');
        video.load();
      };
    }
    let cancelled = false;
    let destroy = () => {};
    let retry: ReturnType<typeof setTimeout> | undefined;
    void import('hls.js').then(({ default: Hls }) => {
      const attach = () => {
        if (cancelled || !Hls.isSupported()) return;
        const hls = new Hls({
          lowLatencyMode: true,
          liveSyncDurationCount: 2,
          liveMaxLatencyDurationCount: 4,
          maxLiveSyncPlaybackRate: 1.5,
          backBufferLength: 10,
          maxBufferLength: 6,
        });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (!data.fatal) return;
          hls.destroy();
          retry = setTimeout(attach, 1000);
        });
        hls.loadSource(src);
        hls.attachMedia(video);
        destroy = () => hls.destroy();
        video.play().catch(() => {});
      };
      attach();
    });
    return () => {
      cancelled = true;
      clearTimeout(retry);
      destroy();
    };
  }, [src]);

  return (
    <>
      <video
        ref={ref}
        className="live__media"
        muted={muted}
        playsInline
        autoPlay
        aria-label={label}
        data-testid="live-player"
        onPlaying={() => playingRef.current?.(true)}
        onWaiting={() => playingRef.current?.(false)}
      />
      {muted ? (
        <button type="button" className="live__unmute" onClick={() => setMuted(false)}>
          🔇 Tap for sound
        </button>
      ) : null}
    </>
  );
}
