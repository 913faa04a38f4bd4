import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every `var(--x)` in the web app's CSS and TSX must name a custom property that exists: one
 * of the design tokens (tokens.css), one declared in the same stylesheet, or one a component
 * sets in an inline style. The browser silently falls back otherwise — that is how received
 * chat bubbles became white on light grey in dark mode (issue 11). The e2e screenshot tour
 * checks the same thing in the browser, on every screen (web/e2e/helpers.ts).
 */
const src = path.resolve(import.meta.dirname, '..');

interface Source {
  name: string;
  text: string;
}

const USE = /var\(\s*(--[\w-]+)/g;
const DECLARE = /(?:^|[{;\s])(--[\w-]+)\s*:/g;
const INLINE = /['"](--[\w-]+)['"]/g;

/** `file:line --name` for each use of a custom property that nothing defines. */
function undefinedCustomProperties(files: Source[], tokensFile: string): string[] {
  const names = (text: string, re: RegExp) => new Set([...text.matchAll(re)].map((m) => m[1]!));
  const tokens = names(files.find((f) => f.name === tokensFile)?.text ?? '', DECLARE);
  // Set by components in inline styles (`style={{ ['--avatar-bg' as string]: … }}`).
  const inline = new Set(files.filter((f) => f.name.endsWith('.tsx')).flatMap((f) => [...names(f.text, INLINE)]));
  const problems: string[] = [];
  for (const f of files) {
    const local = f.name.endsWith('.css') ? names(f.text, DECLARE) : new Set<string>();
    f.text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(USE)) {
        const name = m[1]!;
        if (!tokens.has(name) && !local.has(name) && !inline.has(name)) problems.push(`${f.name}:${i + 1} ${name}`);
      }
    });
  }
  return problems;
}

function filesUnder(dir: string, ext: string[]): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => ext.some((e) => f.endsWith(e)) && !f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

describe('CSS custom properties', () => {
  it('every var(--x) in web/src names a token, a property declared in its stylesheet, or one a component sets inline', () => {
    const files = filesUnder(src, ['.css', '.tsx', '.ts']).map((file) => ({ name: path.relative(src, file), text: fs.readFileSync(file, 'utf8') }));
    expect(files.some((f) => f.name.endsWith('tokens.css'))).toBe(true);
    expect(undefinedCustomProperties(files, 'ui/tokens.css')).toEqual([]);
  });

  it('finds an undefined one (the check can fail)', () => {
    const files = [
      { name: 'ui/tokens.css', text: ':root { --fg: #111; --bg: #fff; }' },
      { name: 'a.css', text: '.x { color: var(--fg); --local: 1px; margin: var(--local); }\n.y { background: var(--surface-2, #eee); }' },
      { name: 'B.tsx', text: "const s = { ['--avatar-bg' as string]: 'red', color: 'var(--text-2)' };" },
      { name: 'c.css', text: '.z { background: var(--avatar-bg); padding: var(--local); }' },
    ];
    expect(undefinedCustomProperties(files, 'ui/tokens.css')).toEqual(['a.css:2 --surface-2', 'B.tsx:1 --text-2', 'c.css:1 --local']);
  });
});
