import type { LoopModule } from '../../app/wiring.ts';
import { browserIngestRoutes } from './browser-ingest.ts';
import { liveFrames } from './live.frames.ts';
import { liveRoutes } from './live.routes.ts';
import { endUnstartedLives, SWEEP_BATCH } from './live.service.ts';

/**
 * Lives (docs/live.md): going live over RTMP (or the browser, through `startHlsPackager`), HLS
 * packaging, the chat inside a live with its rules, and who is live now; owns the live tables.
 * Followers hear of a live through the `live.started` domain event (the notifications module).
 */
export const liveModule: LoopModule = {
  name: 'live',
  provides: {
    // browser-ingest.ts: the host's tab streams MediaRecorder chunks over a WebSocket (docs/live-web.md).
    routes: [liveRoutes, browserIngestRoutes],
    frames: liveFrames,
    periodic: [
      {
        // Lives that never received a stream end LIVE_WAITING_TIMEOUT_SEC after they were made (docs/live.md).
        name: 'live.end-unstarted',
        everyMs: 60_000,
        run: async (ctx) => {
          for (let i = 0; i < 20 && (await endUnstartedLives(ctx)) === SWEEP_BATCH; i++);
        },
      },
    ],
  },
  uses: ['accounts', 'graph', 'media', 'shop'],
};

export { hlsDirOf, type LivePackager, type PackagerInput, startHlsPackager } from './live-ingest.ts';
export { liveForStreamKey, liveNow } from './live.service.ts';
