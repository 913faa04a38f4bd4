import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { buildOutput } from './build-output.ts';

const webRoot = import.meta.dirname;
const repoRoot = path.resolve(webRoot, '..');
// The Loop server (npm run dev / npm start) that the dev server forwards API calls to.
const apiTarget = process.env.LOOP_DEV_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root: webRoot,
  publicDir: path.join(webRoot, 'public'),
  plugins: [react(), buildOutput()],
  resolve: {
    alias: { '@loop/contracts': path.join(repoRoot, 'packages/contracts/src/index.ts') },
  },
  build: {
    outDir: path.join(webRoot, 'dist'),
    emptyOutDir: true,
    // The server's CSP forbids inline scripts; keep every asset a file, never a data: URL script.
    assetsInlineLimit: 0,
    // A dynamic import preloads only its CSS: each <link rel=modulepreload> the preload helper appended
    // cost the main thread a few ms at Home's start (two dozen of them: start's chunks, then the feed's),
    // and without them the browser fetches a chunk's imports once it has the chunk (a round trip later;
    // after the first visit the service worker has them all).
    modulePreload: { polyfill: false, resolveDependencies: (_file, deps) => deps.filter((d) => d.endsWith('.css')) },
    // No source maps in production: they published the whole source (5 MB) to anyone.
    sourcemap: false,
    rolldownOptions: {
      // The contracts only define schemas: a module of them is bundled where its schemas are used, so
      // the first screen builds the ones it needs (building zod schemas is slow at a phone's speed)
      // rather than all of them, shop's, live's and the rest.
      treeshake: { moduleSideEffects: (id: string) => !/packages[\\/]contracts[\\/]/.test(id) },
      output: {
        // Screens are split by route (app/routes.tsx) and hls.js loads where a clip plays; the
        // libraries every screen needs go in two named chunks, cached across deploys of the app.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack)[\\/]/ },
            { name: 'zod', test: /node_modules[\\/]zod[\\/]/ },
          ],
        },
      },
    },
    // hls.js alone (≈ 580 kB, 180 kB gzipped) is above Vite's warning size; it is never an initial chunk.
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    // changeOrigin stays off: the server accepts cookie-authenticated writes whose Origin matches the Host it sees.
    proxy: {
      '/api/v1/ws': { target: apiTarget, ws: true },
      '/api': { target: apiTarget },
      '/media': { target: apiTarget },
    },
  },
});
