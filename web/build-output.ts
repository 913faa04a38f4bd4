import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Logger, Plugin, Rolldown } from 'vite';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/** Files worth compressing (text); images and fonts are compressed already. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|webmanifest|txt|xml)$/;
/** Below this a compressed copy saves less than its headers cost. */
const MIN_BYTES = 512;

/**
 * Chunks the service worker does not fetch ahead: hls.js is large and only plays video, which needs
 * the network anyway (it is cached the first time a clip plays, like any asset fetched later).
 */
const NOT_PRECACHED = /^assets\/hls-/;

/** The line of web/public/sw.js the build replaces with this build's file list. */
export const SW_BUILD_LINE = "const BUILD = { version: 'dev', files: [] };";

/**
 * The last steps of `vite build`, in order:
 * 0. the welcome screen is rendered to static HTML (`welcome.html`, see writeWelcomePage);
 * 1. the service worker learns this build's files (it precaches them, so a reload offline opens
 *    the app on any screen) and a version derived from them (a new build replaces the old cache);
 * 2. every text file gets `.br` and `.gz` siblings, which the server sends to browsers that accept
 *    them (@fastify/static `preCompressed`): compressing once at build time, at the highest levels,
 *    costs the server nothing per request;
 * 3. the initial chunks (what index.html loads before anything shows) are printed with their
 *    compressed sizes, the figure the performance budget is about.
 */
export function buildOutput(): Plugin {
  let outDir = '';
  let logger: Logger | undefined;
  return {
    name: 'loop-build-output',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
      logger = config.logger;
    },
    writeBundle: {
      sequential: true,
      order: 'post',
      async handler(_options, bundle) {
        const files = Object.keys(bundle)
          .filter((f) => f.startsWith('assets/') && !f.endsWith('.map') && !NOT_PRECACHED.test(f))
          .sort();
        // The public files the app shows (favicon, icons of the splash and the manifest) too.
        for await (const full of walk(outDir)) {
          const f = path.relative(outDir, full).split(path.sep).join('/');
          if (!f.startsWith('assets/') && !['sw.js', 'index.html'].includes(f)) files.push(f);
        }
        await writeWelcomePage(outDir, appStartFiles(bundle));
        await writeServiceWorkerManifest(outDir, files);
        await precompress(outDir);
        const initial = await initialChunks(outDir);
        logger?.info(formatInitialChunks(initial));
      },
    },
  };
}

/** The module the entry (src/main.tsx) imports to start the app, once the first screen has painted. */
const APP_START = /[\\/]src[\\/]app[\\/]start\.tsx$/;

/**
 * The files the app's start brings in: its chunk, the chunks it imports (transitively) and their
 * stylesheets. With the entry and index.html's stylesheets, they are what the first screen loads
 * (the welcome page prefetches them, and the size budget is about them).
 */
export function appStartFiles(bundle: Rolldown.OutputBundle): string[] {
  const chunks = Object.values(bundle).filter((c): c is Rolldown.OutputChunk => c.type === 'chunk');
  const start = chunks.find((c) => c.facadeModuleId && APP_START.test(c.facadeModuleId));
  if (!start) throw new Error('the build has no chunk for src/app/start.tsx: main.tsx must import it');
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const files = new Set<string>();
  const visit = (c: Rolldown.OutputChunk) => {
    if (files.has(c.fileName)) return;
    files.add(c.fileName);
    for (const css of c.viteMetadata?.importedCss ?? []) files.add(css);
    for (const dep of c.imports) {
      const chunk = byName.get(dep);
      if (chunk) visit(chunk);
    }
  };
  visit(start);
  return [...files];
}

/** The static welcome page's file in the build (the server sends it to signed-out visitors). */
export const WELCOME_PAGE = 'welcome.html';

/**
 * Writes `welcome.html`: index.html's head, the welcome screen rendered by React at build time
 * (web/src/features/accounts/welcome-page.tsx, loaded through Vite's SSR so its CSS imports
 * resolve) with its CSS inline, and no script. The app's initial scripts and stylesheets are
 * prefetched at low priority instead of loaded: the next screen (sign up, log in) then opens
 * from the cache. The same component draws the app's own welcome screen, so the two cannot drift.
 */
async function writeWelcomePage(outDir: string, appFiles: string[]) {
  const { createServer } = await import('vite');
  const server = await createServer({
    configFile: path.join(import.meta.dirname, 'vite.config.ts'),
    server: { middlewareMode: true, hmr: false, ws: false },
    appType: 'custom',
    logLevel: 'error',
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  try {
    const mod = await server.ssrLoadModule('/src/features/accounts/welcome-page.tsx');
    const { markup, css } = (mod.renderWelcomePage as () => { markup: string; css: string })();
    const index = await fs.readFile(path.join(outDir, 'index.html'), 'utf8');
    const assets = [...index.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"[^>]*>(?:<\/script>)?\s*/g)];
    if (assets.length === 0 || !index.includes('<div id="root">')) throw new Error('index.html has no assets or no #root: the welcome page cannot be made from it');
    let html = index;
    for (const [tag] of assets) html = html.replace(tag, '');
    const hrefs = [...new Set([...assets.map(([, href]) => href!), ...appFiles.map((f) => `/${f}`)])];
    const prefetch = hrefs.map((href) => `    <link rel="prefetch" href="${href}"${href.endsWith('.js') ? ' as="script" crossorigin' : ' as="style"'} />`).join('\n');
    html = html
      .replace('<title>Loop</title>', '<title>Welcome · Loop</title>')
      .replace('</head>', `    <style>${css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s*\n\s*/g, '\n')}</style>\n${prefetch}\n  </head>`)
      .replace(/<div id="root">[\s\S]*?<\/div><\/div>/, `<div id="root">${markup}</div>`)
      .replace(/\s*<noscript>[\s\S]*?<\/noscript>/, '');
    await fs.writeFile(path.join(outDir, WELCOME_PAGE), html);
  } finally {
    await server.close();
  }
}

async function writeServiceWorkerManifest(outDir: string, files: string[]) {
  const swPath = path.join(outDir, 'sw.js');
  const sw = await fs.readFile(swPath, 'utf8');
  if (!sw.includes(SW_BUILD_LINE)) throw new Error(`web/public/sw.js must contain the line: ${SW_BUILD_LINE}`);
  const urls = files.map((f) => `/${f}`);
  const indexHtml = await fs.readFile(path.join(outDir, 'index.html'));
  const version = createHash('sha256').update(indexHtml).update(urls.join('\n')).digest('hex').slice(0, 12);
  await fs.writeFile(swPath, sw.replace(SW_BUILD_LINE, `const BUILD = ${JSON.stringify({ version, files: urls })};`));
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

async function precompress(outDir: string) {
  const jobs: Promise<void>[] = [];
  for await (const file of walk(outDir)) {
    if (!COMPRESSIBLE.test(file)) continue;
    jobs.push(
      (async () => {
        const raw = await fs.readFile(file);
        if (raw.length < MIN_BYTES) return;
        const [br, gz] = await Promise.all([
          brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
          gzip(raw, { level: 9 }),
        ]);
        // A copy that is not smaller is not written: the server then sends the file as it is.
        if (br.length < raw.length) await fs.writeFile(`${file}.br`, br);
        if (gz.length < raw.length) await fs.writeFile(`${file}.gz`, gz);
      })(),
    );
  }
  await Promise.all(jobs);
}

export interface ChunkSize {
  file: string;
  bytes: number;
  gzip: number;
  brotli: number;
}

/**
 * The scripts and stylesheets the app's first screen loads, with their sizes as sent: index.html's
 * and the app's start (which the welcome page lists as prefetches: see appStartFiles).
 */
export async function initialChunks(outDir: string): Promise<ChunkSize[]> {
  const pages = await Promise.all(['index.html', WELCOME_PAGE].map((f) => fs.readFile(path.join(outDir, f), 'utf8')));
  const refs = pages.flatMap((html) => [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!));
  const sizes: ChunkSize[] = [];
  for (const file of [...new Set(refs)]) {
    const raw = await fs.readFile(path.join(outDir, file));
    sizes.push({ file, bytes: raw.length, gzip: zlib.gzipSync(raw, { level: 9 }).length, brotli: zlib.brotliCompressSync(raw).length });
  }
  return sizes.sort((a, b) => b.gzip - a.gzip);
}

export function formatInitialChunks(chunks: ChunkSize[]): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
  const lines = chunks.map((c) => `  ${c.file.padEnd(36)} ${kb(c.bytes)} ${kb(c.gzip)} ${kb(c.brotli)}`);
  const total = chunks.reduce((t, c) => ({ bytes: t.bytes + c.bytes, gzip: t.gzip + c.gzip, brotli: t.brotli + c.brotli }), { bytes: 0, gzip: 0, brotli: 0 });
  return [
    `Initial chunks (the first screen's)      ${'raw'.padStart(10)} ${'gzip'.padStart(10)} ${'brotli'.padStart(10)}`,
    ...lines,
    `  ${'total'.padEnd(36)} ${kb(total.bytes)} ${kb(total.gzip)} ${kb(total.brotli)}`,
  ].join('\n');
}
