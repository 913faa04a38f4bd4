import fs from 'node:fs';
import path from 'node:path';
import { JOB_KINDS, ShareType } from '@loop/contracts';
import { describe, expect, it } from 'vitest';
import { checkBoundaries, moduleImports, readServerSources, type SourceFile, tableOwners } from './architecture.ts';
import { appModules } from './modules.ts';
import { assembleModules, type LoopModule, ModuleWiringError } from './wiring.ts';

const serverSrc = path.resolve(import.meta.dirname, '..');
const sources = readServerSources(serverSrc);

describe('module boundaries', () => {
  it('no module queries another module’s tables or imports another module’s inner files', () => {
    expect(checkBoundaries(sources)).toEqual([]);
  });

  it('every table the migrations create has exactly one owner, and every module has a public index.ts', () => {
    const owners = tableOwners(sources);
    const migrations = fs.readdirSync(path.resolve(serverSrc, '../migrations')).map((f) => fs.readFileSync(path.resolve(serverSrc, '../migrations', f), 'utf8'));
    const created = new Set(migrations.flatMap((text) => [...text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!)));
    expect(created.size).toBeGreaterThan(20);
    expect([...created].filter((t) => !owners.has(t))).toEqual([]);
    const modules = fs.readdirSync(path.join(serverSrc, 'modules'), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(modules.filter((m) => !fs.existsSync(path.join(serverSrc, 'modules', m.name, 'index.ts'))).map((m) => m.name)).toEqual([]);
  });

  // The checker itself, on fixtures: a rule that cannot fail would prove nothing.
  const fixture: SourceFile[] = [
    { path: 'modules/accounts/accounts.repo.ts', text: "declare module '../../platform/db/schema.ts' {\n  interface Database {\n    users: UsersTable;\n  }\n}" },
    { path: 'modules/graph/graph.repo.ts', text: "declare module 'x' {\n  interface Database {\n    follows: FollowsTable;\n  }\n}\nexport const f = (db) => db.selectFrom('follows').selectAll().execute();" },
  ];
  const withFile = (file: SourceFile) => [...fixture, file];

  it('reports a repo that reads another module’s table, however it is written', () => {
    const kysely = { path: 'modules/graph/bad.repo.ts', text: "export const bad = (db) =>\n  db.selectFrom('follows as f').innerJoin('users', 'users.id', 'f.followee_id').select(['users.username']).execute();" };
    const raw = { path: 'modules/graph/raw.repo.ts', text: 'const q = sql`\n  SELECT private_account FROM users WHERE id = 1`;' };
    const violations = checkBoundaries(withFile(kysely)).concat(checkBoundaries(withFile(raw)));
    expect(violations.map((v) => [v.file, v.line, v.rule])).toEqual([
      ['modules/graph/bad.repo.ts', 2, 'foreign_table'],
      ['modules/graph/raw.repo.ts', 2, 'foreign_table'],
    ]);
    expect(violations[0]!.detail).toBe('queries accounts\'s table "users"');
    // Its own tables, and words in comments, are fine.
    const own = { path: 'modules/graph/ok.repo.ts', text: "// reading users here would be wrong\nexport const ok = (db) => db.selectFrom('follows').selectAll().execute();" };
    expect(checkBoundaries(withFile(own))).toEqual([]);
  });

  it('reports an import of another module’s inner file, and accepts its index.ts', () => {
    const inner = { path: 'modules/media/media.service.ts', text: "import { getUserViews } from '../accounts/accounts.service.ts';" };
    const viaIndex = { path: 'modules/media/media.service.ts', text: "import { getUserViews } from '../accounts/index.ts';\nimport * as repo from './media.repo.ts';" };
    const fromApp = { path: 'app/worker.ts', text: "import { purgeVideoFiles } from '../modules/media/media.service.ts';" };
    expect(checkBoundaries(withFile(inner)).map((v) => v.rule)).toEqual(['inner_import']);
    expect(checkBoundaries(withFile(viaIndex))).toEqual([]);
    expect(checkBoundaries(withFile(fromApp)).map((v) => v.detail)).toEqual([
      'imports ../modules/media/media.service.ts: another module is reached only through modules/media/index.ts',
    ]);
    const fromPlatform = { path: 'platform/realtime/transport.ts', text: "import { authenticate } from '../../modules/accounts/index.ts';" };
    expect(checkBoundaries(withFile(fromPlatform)).map((v) => v.rule)).toEqual(['platform_import']);
  });
});

describe('module wiring', () => {
  it('joins the listed modules: every need met, every job kind handled', () => {
    const wiring = assembleModules(appModules);
    expect(Object.keys(wiring.jobs).sort()).toEqual([...JOB_KINDS].sort());
    // Every kind that can be shared has its card.
    expect([...wiring.shareCards.keys()].sort()).toEqual([...ShareType.options].sort());
    expect(typeof wiring.graphLens.hiddenUserIds).toBe('function');
  });

  const named = (name: string) => appModules.find((m) => m.name === name)!;
  const fails = (modules: readonly LoopModule[]) => {
    try {
      assembleModules(modules);
    } catch (err) {
      expect(err).toBeInstanceOf(ModuleWiringError);
      return (err as Error).message;
    }
    throw new Error('assembled although it should not have');
  };

  it('each module declares as `uses` exactly the modules it imports', () => {
    const imports = moduleImports(sources);
    for (const m of appModules) expect([...(imports.get(m.name) ?? [])].sort(), m.name).toEqual([...(m.uses ?? [])].sort());
  });

  it('refuses to start without a provider: no graph means no blocks, so no server', () => {
    const message = fails(appModules.filter((m) => m.name !== 'graph'));
    expect(message).toContain('"accounts" needs graphLens, which no listed module provides');
    expect(message).toContain('job kind "suggestions.fit" has no handler');
    expect(message).toContain('"messaging" uses "graph", which is not listed');
  });

  it('refuses two providers of one thing and a module listed twice', () => {
    const rival: LoopModule = {
      name: 'rival',
      provides: { videoCounter: async () => 0, shareCards: { video: named('sharing').provides.shareCards!.video! }, frames: { client: { typing: { schema: {} as never, handle: () => {} } } } },
    };
    const message = fails([...appModules, rival, named('feed')]);
    expect(message).toContain('videoCounter is provided by both "media" and "rival"');
    expect(message).toContain('share cards of "video" are provided by both "sharing" and "rival"');
    expect(message).toContain('module "feed" is listed twice');
    expect(message).toContain('client frame "typing" has two handlers');
  });
});
