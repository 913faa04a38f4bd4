/**
 * `npm run eval:suggestions -- --edges <file> --holdout 0.1 --seed N [--write]`
 *
 * Offline evaluation of "people you may know": hide a seeded random share of the edges of
 * an undirected friendship graph, rank every non-friend for each user who lost an edge,
 * and score how many hidden friends come back in the top 10. Loop's ranking (the very
 * functions the service uses, server/src/modules/graph/suggestion-ranking.ts) is measured
 * beside common neighbours and resource allocation computed in the same run.
 * `--write` records the table in BENCHMARKS.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Adjacency, type CandidateFeatures, graphScore, twoHopFeatures } from '../server/src/modules/graph/suggestion-ranking.ts';
import { machineNote, recordSection } from './lib/report.ts';

export interface Metrics {
  hits: number;
  precision: number;
  recall: number;
  mrr: number;
  users: number;
}

export type Scorer = (f: CandidateFeatures) => number;

export const METHODS: Record<string, Scorer> = {
  'common neighbours': (f) => f.mutualFriends,
  'resource allocation': (f) => f.resourceAllocation,
  'Loop (graphScore)': graphScore,
};

/** A small seeded PRNG (mulberry32), so a seed always hides the same edges. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function readEdges(file: string): Array<[number, number]> {
  const edges: Array<[number, number]> = [];
  const ids = new Map<string, number>();
  const id = (s: string) => {
    let v = ids.get(s);
    if (v === undefined) {
      v = ids.size;
      ids.set(s, v);
    }
    return v;
  };
  const seen = new Set<string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [a, b] = t.split(/\s+/);
    if (a === undefined || b === undefined || a === b) continue;
    const x = id(a);
    const y = id(b);
    const key = x < y ? `${x} ${y}` : `${y} ${x}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push([x, y]);
  }
  return edges;
}

/** Splits edges into training and hidden sets (Fisher-Yates with the seeded PRNG). */
export function splitEdges(edges: Array<[number, number]>, holdout: number, seed: number) {
  const rnd = seededRandom(seed);
  const order = edges.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nHidden = Math.round(edges.length * holdout);
  const hidden = order.slice(0, nHidden).map((i) => edges[i]!);
  const train = order.slice(nHidden).map((i) => edges[i]!);
  return { train, hidden };
}

function adjacencyOf(n: number, edges: Array<[number, number]>): Adjacency {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    adj[a]!.push(b);
    adj[b]!.push(a);
  }
  return adj;
}

/**
 * Ranks every non-friend of each user with hidden edges by each method. Candidates outside
 * two hops score 0 for every method here and sit below all scored ones in a seeded random
 * order (the same order for every method), so no method gains from tie-breaking by id.
 */
export function evaluate(edges: Array<[number, number]>, holdout: number, seed: number, methods: Record<string, Scorer> = METHODS) {
  const n = edges.reduce((m, [a, b]) => Math.max(m, a, b), 0) + 1;
  const { train, hidden } = splitEdges(edges, holdout, seed);
  const adj = adjacencyOf(n, train);
  const hiddenOf = new Map<number, Set<number>>();
  for (const [a, b] of hidden) {
    if (!hiddenOf.has(a)) hiddenOf.set(a, new Set());
    if (!hiddenOf.has(b)) hiddenOf.set(b, new Set());
    hiddenOf.get(a)!.add(b);
    hiddenOf.get(b)!.add(a);
  }
  const tieRnd = seededRandom(seed * 7919 + 1);
  const tie = Float64Array.from({ length: n }, () => tieRnd());
  const names = Object.keys(methods);
  const sums = names.map(() => ({ hits: 0, precision: 0, recall: 0, mrr: 0 }));
  for (const [u, truth] of hiddenOf) {
    const feats = twoHopFeatures(adj, u);
    const friends = new Set(adj[u]!);
    // Unscored non-friends, in tie order: needed only when a hidden friend is not 2 hops away.
    let rest: number[] | null = null;
    names.forEach((name, mi) => {
      const score = methods[name]!;
      // Every method here scores each 2-hop candidate above 0, so `rest` is exactly the unscored.
      const scored = [...feats].map(([c, f]) => ({ c, s: score(f) })).filter((x) => x.s > 0);
      scored.sort((x, y) => y.s - x.s || tie[x.c]! - tie[y.c]!);
      let hits10 = 0;
      let firstRank = 0;
      scored.forEach((x, i) => {
        if (truth.has(x.c)) {
          if (i < 10) hits10 += 1;
          if (!firstRank) firstRank = i + 1;
        }
      });
      if (!firstRank) {
        rest ??= Array.from({ length: n }, (_, c) => c)
          .filter((c) => c !== u && !friends.has(c) && !feats.has(c))
          .sort((x, y) => tie[x]! - tie[y]!);
        let rank = scored.length;
        for (const c of rest) {
          rank += 1;
          if (truth.has(c)) {
            if (rank <= 10) hits10 += 1;
            if (!firstRank) firstRank = rank;
            if (rank > 10) break;
          }
        }
      }
      const m = sums[mi]!;
      m.hits += hits10 > 0 ? 1 : 0;
      m.precision += hits10 / 10;
      m.recall += hits10 / truth.size;
      m.mrr += firstRank ? 1 / firstRank : 0;
    });
  }
  const users = hiddenOf.size;
  const results: Record<string, Metrics> = {};
  names.forEach((name, mi) => {
    const m = sums[mi]!;
    results[name] = { hits: m.hits / users, precision: m.precision / users, recall: m.recall / users, mrr: m.mrr / users, users };
  });
  return results;
}

export function formatTable(rows: Array<{ seed: number; method: string; m: Metrics }>): string {
  const lines = ['| seed | method | Hits@10 | P@10 | R@10 | MRR |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.seed} | ${r.method} | ${r.m.hits.toFixed(4)} | ${r.m.precision.toFixed(4)} | ${r.m.recall.toFixed(4)} | ${r.m.mrr.toFixed(4)} |`);
  }
  return lines.join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      edges: { type: 'string', default: '/work/shared/datasets/ego-facebook/facebook_combined.txt' },
      holdout: { type: 'string', default: '0.1' },
      seed: { type: 'string', multiple: true, default: ['1'] },
      write: { type: 'boolean', default: false },
    },
  });
  const holdout = Number(values.holdout);
  if (!(holdout > 0 && holdout < 1)) throw new Error('--holdout must be between 0 and 1');
  const seeds = values.seed!.flatMap((s) => s.split(',')).map(Number);
  const edges = readEdges(values.edges!);
  const rows: Array<{ seed: number; method: string; m: Metrics }> = [];
  let allBeat = true;
  for (const seed of seeds) {
    const started = Date.now();
    const res = evaluate(edges, holdout, seed);
    for (const [method, m] of Object.entries(res)) rows.push({ seed, method, m });
    const loop = res['Loop (graphScore)']!.precision;
    const ra = res['resource allocation']!.precision;
    const beat = loop > ra;
    allBeat &&= beat;
    console.error(`seed ${seed}: ${res['resource allocation']!.users} users with hidden edges, ${((Date.now() - started) / 1000).toFixed(1)} s; Loop P@10 ${loop.toFixed(4)} vs RA ${ra.toFixed(4)} → ${beat ? 'beats RA' : 'does NOT beat RA'}`);
  }
  const table = formatTable(rows);
  console.log(`\n${path.basename(values.edges!)}: ${edges.length} edges, ${Math.round(holdout * 100)}% hidden\n`);
  console.log(table);
  console.log(`\nLoop beats resource allocation's P@10 on ${allBeat ? 'every' : 'NOT every'} seed.`);
  if (values.write) {
    recordSection(
      'suggestions-eval',
      [
        '## Friend suggestions: offline evaluation (eval:suggestions)',
        '',
        `\`npm run eval:suggestions -- --edges ${values.edges} --holdout ${holdout} --seed ${seeds.join(' --seed ')}\``,
        `(${new Date().toISOString().slice(0, 10)}; ${edges.length} edges, ${Math.round(holdout * 100)}% hidden, every non-friend ranked, per-user top 10, averaged over users with hidden edges).`,
        'Baselines (common neighbours, resource allocation) are computed in the same run on the same split.',
        '',
        table,
        '',
        machineNote(),
      ].join('\n'),
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
