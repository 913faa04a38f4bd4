/**
 * Going live from the browser (docs/live-web.md): MediaRecorder cuts the camera into WebM chunks
 * every 300 ms and a WebSocket carries them to `GET /api/v1/lives/:id/ingest`, where ffmpeg reads
 * them from stdin and packages HLS. Debian's Chromium records VP8/VP9/H.264 in WebM; VP8 + Opus
 * is asked for first because every Chromium has it, and the server transcodes anyway (browser
 * keyframes come when they like, HLS needs one every segment).
 */
export const RECORDER_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm;codecs=h264,opus', 'video/webm'];
const TIMESLICE_MS = 300;
/** The server takes WebSocket messages of at most 64 KiB (WS_MAX_PAYLOAD): bigger chunks go in pieces (the server joins them back into one byte stream). */
export const INGEST_PIECE_BYTES = 60 * 1024;
/** Past this many bytes waiting in the socket the uplink is too slow: chunks are dropped, not queued for ever. */
const MAX_BUFFERED = 8 * 1024 * 1024;

export function pickRecorderType(): string | null {
  if (typeof MediaRecorder === 'undefined') return null;
  return RECORDER_TYPES.find((t) => MediaRecorder.isTypeSupported(t)) ?? null;
}

/**
 * 480×854 at 24 fps: every browser live is transcoded on the server (one x264 per live), and on a
 * busy 2-core machine 720×1280 at 30 fps did not transcode in real time (about 0.4× speed, while
 * this size ran at about 1.3×); on a phone screen the difference is small.
 */
export const CAPTURE = { width: 480, height: 854, frameRate: 24, videoBitsPerSecond: 1_200_000, audioBitsPerSecond: 64_000 } as const;

export async function openCamera(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'user', width: { ideal: CAPTURE.width }, height: { ideal: CAPTURE.height }, frameRate: { ideal: CAPTURE.frameRate, max: 30 } },
    audio: { echoCancellation: true, noiseSuppression: true },
  });
}

export type BroadcastState = 'connecting' | 'live' | 'stopped' | 'failed';

export interface Broadcast {
  stop(): void;
}

/** Streams `stream` to the live's ingest socket until stopped; says what happens through `onState`. */
export function startBroadcast(liveId: string, stream: MediaStream, onState: (s: BroadcastState, detail?: string) => void): Broadcast {
  const mimeType = pickRecorderType();
  if (!mimeType) {
    onState('failed', 'This browser can’t record video. Use streaming software instead.');
    return { stop() {} };
  }
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${proto}://${location.host}/api/v1/lives/${encodeURIComponent(liveId)}/ingest`);
  ws.binaryType = 'arraybuffer';
  let recorder: MediaRecorder | null = null;
  let stopped = false;
  onState('connecting');

  ws.onopen = () => {
    recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: CAPTURE.videoBitsPerSecond, audioBitsPerSecond: CAPTURE.audioBitsPerSecond });
    recorder.ondataavailable = (e) => {
      if (e.data.size === 0 || ws.readyState !== WebSocket.OPEN) return;
      // A chunk dropped mid-stream corrupts WebM; past the limit the connection is given up instead.
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.close(4000, 'uplink too slow');
        return;
      }
      for (let at = 0; at < e.data.size; at += INGEST_PIECE_BYTES) ws.send(e.data.slice(at, at + INGEST_PIECE_BYTES));
    };
    recorder.start(TIMESLICE_MS);
    onState('live');
  };
  ws.onclose = (e) => {
    if (recorder && recorder.state !== 'inactive') recorder.stop();
    if (stopped) return;
    onState('failed', e.reason || 'The connection to Loop was lost.');
  };

  return {
    stop() {
      stopped = true;
      if (recorder && recorder.state !== 'inactive') recorder.stop();
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, 'ended');
      onState('stopped');
    },
  };
}
