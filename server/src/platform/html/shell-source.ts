import fs from 'node:fs/promises';
import path from 'node:path';

/** The app's shell (index.html) as the build wrote it. */
export type ShellSource = () => Promise<string>;

/**
 * Reads the shell once, the first time a signed-in Home needs it, not on every request: a built
 * server's shell does not change under it (`npm start` builds before it starts; a deploy restarts
 * it). With `rereadWhenChanged` (development: `npm run build` beside `npm run dev`, whose static
 * files are served fresh from disk) one stat per request tells when to read it again, so Home
 * never names scripts a rebuild deleted. A failed read is not kept: the next request tries again.
 */
export function shellSource(webDistDir: string, opts: { rereadWhenChanged: boolean }): ShellSource {
  const file = path.join(webDistDir, 'index.html');
  let cached: { mtimeMs: number; text: Promise<string> } | null = null;
  return async () => {
    const mtimeMs = opts.rereadWhenChanged ? (await fs.stat(file)).mtimeMs : 0;
    if (!cached || cached.mtimeMs !== mtimeMs) {
      const read = { mtimeMs, text: fs.readFile(file, 'utf8') };
      cached = read;
      read.text.catch(() => {
        if (cached === read) cached = null;
      });
    }
    return cached.text;
  };
}
