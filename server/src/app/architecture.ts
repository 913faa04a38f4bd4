import fs from 'node:fs';
import path from 'node:path';

/**
 * The module boundaries as a checker (ARCHITECTURE.md "modules"): a module owns the tables its
 * repos declare in the Kysely `Database` map; no other module's code names them in SQL, and
 * code outside a module reaches it only through its public `index.ts`. Plain text analysis of
 * the sources, so it runs as a fast unit test and can be pointed at a fixture. platform/ imports
 * no module at all.
 */

export interface SourceFile {
  /** Path relative to server/src, with forward slashes (`modules/graph/graph.repo.ts`). */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  line: number;
  rule: 'foreign_table' | 'inner_import' | 'platform_import';
  detail: string;
}

/** The module a file belongs to (`modules/<m>/…`), or null for app/ and platform/. */
export function moduleOf(file: string): string | null {
  const m = /^modules\/([^/]+)\//.exec(file);
  return m ? m[1]! : null;
}

const stripComments = (text: string) =>
  text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/[^\n]*/g, (c, pre: string) => pre + ' '.repeat(c.length - pre.length));

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Table name → owner (a module, or `platform`), from every `interface Database { … }` merge. */
export function tableOwners(files: readonly SourceFile[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const f of files) {
    for (const block of f.text.matchAll(/interface Database \{([^}]*)\}/g)) {
      for (const t of block[1]!.matchAll(/^\s*([a-z_][a-z0-9_]*)\s*:/gm)) owners.set(t[1]!, moduleOf(f.path) ?? 'platform');
    }
  }
  return owners;
}

// Where SQL names a table: Kysely's builders, table-qualified column names, and raw SQL keywords.
const TABLE_REFERENCES = [
  /\b(?:selectFrom|insertInto|updateTable|deleteFrom|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin|table)\(\s*['"`]([a-z_][a-z0-9_]*)/g,
  /['"`]([a-z_][a-z0-9_]*)\.[a-z_*][a-z0-9_]*['"`]/g,
  /\b(?:FROM|JOIN|INTO|UPDATE|TABLE|REFERENCES)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)/g,
];

/** Finds SQL in a module that names another module's table, and imports of another module's inner files. */
export function checkBoundaries(files: readonly SourceFile[], owners = tableOwners(files)): Violation[] {
  const out: Violation[] = [];
  for (const f of files) {
    const mine = moduleOf(f.path);
    const text = stripComments(f.text);
    if (mine) {
      const seen = new Set<string>();
      for (const re of TABLE_REFERENCES) {
        for (const m of text.matchAll(re)) {
          const table = m[1]!;
          const owner = owners.get(table);
          if (!owner || owner === mine || owner === 'platform') continue;
          const line = lineAt(text, m.index);
          if (seen.has(`${table}:${line}`)) continue;
          seen.add(`${table}:${line}`);
          out.push({ file: f.path, line, rule: 'foreign_table', detail: `queries ${owner}'s table "${table}"` });
        }
      }
    }
    for (const m of text.matchAll(/\b(?:import|export)\b[^'"`;]*?\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f.path), spec));
      const theirs = moduleOf(target);
      if (!theirs || theirs === mine) continue;
      if (f.path.startsWith('platform/')) {
        out.push({ file: f.path, line: lineAt(text, m.index), rule: 'platform_import', detail: `imports ${spec}: platform/ holds mechanisms with no product knowledge` });
        continue;
      }
      if (target === `modules/${theirs}/index.ts`) continue;
      out.push({ file: f.path, line: lineAt(text, m.index), rule: 'inner_import', detail: `imports ${spec}: another module is reached only through modules/${theirs}/index.ts` });
    }
  }
  return out;
}

/** For each module, the other modules whose index.ts its code imports at run time (`import type` aside). */
export function moduleImports(files: readonly SourceFile[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of files) {
    const mine = moduleOf(f.path);
    if (!mine) continue;
    const set = out.get(mine) ?? new Set<string>();
    out.set(mine, set);
    for (const m of stripComments(f.text).matchAll(/\bimport\s+(?!type\b)[^'"`;]*?\bfrom\s+['"]([^'"]+)['"]/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f.path), m[1]!));
      const theirs = moduleOf(target);
      if (theirs && theirs !== mine) set.add(theirs);
    }
  }
  return out;
}

/** Every .ts source under server/src except tests, relative to it. */
export function readServerSources(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push({ path: path.relative(root, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(root);
  return out;
}
