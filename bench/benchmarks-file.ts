import fs from 'node:fs';
import path from 'node:path';

const FILE = path.resolve(import.meta.dirname, '..', 'BENCHMARKS.md');

/**
 * Writes one `## title` section of BENCHMARKS.md, replacing the previous run's section and
 * leaving every other benchmark's section as it was.
 */
export function replaceSection(title: string, body: string) {
  const current = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '# Benchmarks\n\nEach figure is measured beside its baseline in the same run.\n';
  const heading = `## ${title}`;
  const start = current.indexOf(`${heading}\n`);
  const section = `${heading}\n\n${body.trim()}\n`;
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const after = current.indexOf('\n## ', start + heading.length);
    next = current.slice(0, start) + section + (after === -1 ? '' : current.slice(after));
  }
  fs.writeFileSync(FILE, next.endsWith('\n') ? next : `${next}\n`);
}
