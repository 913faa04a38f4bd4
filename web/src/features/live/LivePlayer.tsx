import { useEffect, useRef, useState } from 'react';

/**
 * The live's HLS, played close to the edge: hls.js keeps about two 1-second segments behind the
 * newest and speeds up a little when it falls behind. The playlist appears a moment after the
 * host starts, so a missing one is asked for again every second instead of failing.
 *
 * hls.js wherever Media Source Extensions exist, even when the browser also plays HLS itself:
 * Chromium's built-in HLS player (on since about version 141) has no live-latency control, and
 * it gives up for good on a segment it cannot parse (a viewer who joined under load saw a black
 * screen: DEMUXER_ERROR_COULD_NOT_PARSE). The browser's own player is used only without MSE
 * (older iOS), and it too is started again a second after an error.
 */
export function LivePlayer({ src, label, onPlaying }: { src: string; label: string; onPlaying?: (playing: boolean) => void }) {
  const ref = useRef<HTMLVideoElement>(null);
  const [muted, setMuted] = useState(true);
  const playingRef = useRef(onPlaying);
  playingRef.current = onPlaying;

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    let cancelled = false;
    let destroy = () => {};
    let retry: ReturnType<typeof setTimeout> | undefined;
    const again = (start: () => void) => {
      if (!cancelled) retry = setTimeout(start, 1000);
    };
    void import('hls.js').then(({ default: Hls }) => {
      if (cancelled) return;
      if (!Hls.isSupported()) {
        const start = () => {
          video.src = src;
          video.play().catch(() => {});
        };
        const onError = () => again(start);
        video.addEventListener('error', onError);
        destroy = () => {
          video.removeEventListener('error', onError);
          video.removeAttribute('src');
          video.load();
        };
        start();
        return;
      }
      const attach = () => {
        if (cancelled) return;
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
          again(attach);
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
