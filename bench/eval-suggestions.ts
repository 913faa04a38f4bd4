/**
 * `npm run eval:suggestions [-- --edges <file> [--users N]] [--seed N …] [--holdout 0.1] [--write]`
 *
 * Offline evaluation of "people you may know": hide a seeded random share of the edges of
 * an undirected friendship graph, rank every non-friend for each user who lost an edge,
 * and score how many hidden friends come back in the top 10. Loop's model is fitted on the
 * training graph only (the hidden test edges are never seen), with the very code the worker
 * runs on the live graph, and ranks the candidate pool the service would store; common
 * neighbours, resource allocation and Adamic-Adar rank every friend of a friend, computed in
 * the same run on the same split. Without `--edges` it runs both shared datasets (`--datasets`,
 * default ../shared/datasets beside the checkout) with their
 * READMEs' protocols (ego-Facebook: every user with hidden edges; github-devs: a random
 * 3,000 of them) on seeds 1–3. `--write` records the tables in BENCHMARKS.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type FitReport, fitSuggestionModel, shuffledIndices } from '../server/src/modules/graph/suggestion-fitting.ts';
import { buildSocialGraph, type Candidates, CandidateCollector } from '../server/src/modules/graph/suggestion-graph.ts';
import { logScore, type RankingModel, SUGGESTION_LIMITS } from '../server/src/modules/graph/suggestion-ranking.ts';
import { machineNote, recordSection } from './lib/report.ts';
import { seededRandom } from '../server/src/platform/random/seeded-random.ts';

export interface Metrics {
  hits: number;
  precision: number;
  recall: number;
  mrr: number;
  users: number;
}

export const LOOP = 'Loop (learned)';
const BASELINES: Record<string, (c: Candidates, s: number) => number> = {
  'common neighbours': (c, s) => c.mutualFriends[s]!,
  'resource allocation': (c, s) => c.resourceAllocation[s]!,
  'Adamic-Adar': (c, s) => c.adamicAdar[s]!,
};
export const METHODS = [...Object.keys(BASELINES), LOOP];

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
  const seen = new Set<number>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [a, b] = t.split(/[\s,]+/);
    if (a === undefined || b === undefined || a === b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) continue;
    const x = id(a);
    const y = id(b);
    const key = x < y ? x * 2 ** 26 + y : y * 2 ** 26 + x;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push([x, y]);
  }
  return edges;
}

/** Splits edges into training and hidden sets (Fisher-Yates with the seeded PRNG). */
export function splitEdges(edges: Array<[number, number]>, holdout: number, seed: number) {
  const order = shuffledIndices(edges.length, seededRandom(seed));
  const nHidden = Math.round(edges.length * holdout);
  const hidden = Array.from(order.subarray(0, nHidden), (i) => edges[i]!);
  const train = Array.from(order.subarray(nHidden), (i) => edges[i]!);
  return { train, hidden };
}

export interface EvalOptions {
  /** Score a seeded random sample of this many users with hidden edges (default: all). */
  users?: number;
  /** The model to rank with instead of fitting one (tests). */
  model?: RankingModel;
  /** The fit to run (default: the worker's, fitSuggestionModel; tests wrap it to see what it is given). */
  fit?: typeof fitSuggestionModel;
}

/**
 * Ranks every non-friend of each (sampled) user with hidden edges by each method. A method
 * ranks the candidates it scores first; everyone else follows in one seeded random order
 * shared by every method, so no method gains from tie-breaking by id.
 */
export async function evaluate(edges: Array<[number, number]>, holdout: number, seed: number, opts: EvalOptions = {}) {
  const n = edges.reduce((m, [a, b]) => Math.max(m, a, b), 0) + 1;
  const { train, hidden } = splitEdges(edges, holdout, seed);
  const graph = buildSocialGraph(n, Int32Array.from(train.flat()));
  const fitStarted = Date.now();
  // Fitted on the training graph alone: the hidden test edges are never shown to it.
  const fit: FitReport | null = opts.model ? null : await (opts.fit ?? fitSuggestionModel)(graph, { seed, limits: SUGGESTION_LIMITS });
  const fitMs = Date.now() - fitStarted;
  const model = opts.model ?? fit!.model;

  const hiddenOf = new Map<number, Set<number>>();
  for (const [a, b] of hidden) {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const s = hiddenOf.get(x);
      if (s) s.add(y);
      else hiddenOf.set(x, new Set([y]));
    }
  }
  let users = [...hiddenOf.keys()];
  if (opts.users !== undefined && opts.users < users.length) {
    const pick = shuffledIndices(users.length, seededRandom(seed * 104729 + 7));
    users = Array.from(pick.subarray(0, opts.users), (i) => users[i]!);
  }
  const tiePos = new Int32Array(n);
  shuffledIndices(n, seededRandom(seed * 7919 + 1)).forEach((v, i) => {
    tiePos[v] = i;
  });

  const collector = new CandidateCollector(graph, SUGGESTION_LIMITS);
  const isTruth = new Uint8Array(n);
  const sums = METHODS.map(() => ({ hits: 0, precision: 0, recall: 0, mrr: 0 }));
  const evalStarted = Date.now();
  for (const u of users) {
    const truth = hiddenOf.get(u)!;
    for (const t of truth) isTruth[t] = 1;
    const cands = collector.collect(u);
    const excluded = [u, ...graph.friends.subarray(graph.friendStart[u]!, graph.friendStart[u + 1]!)];
    const friendsOfFriends = Array.from({ length: cands.count }, (_, s) => s).filter((s) => cands.mutualFriends[s]! > 0);
    METHODS.forEach((name, mi) => {
      const baseline = BASELINES[name];
      const scored = baseline ? friendsOfFriends : cands.pool;
      const score = new Float64Array(scored.length);
      scored.forEach((s, j) => {
        score[j] = baseline ? baseline(cands, s) : logScore(model, collector.features(u, cands, s));
      });
      const ranks = truthRanks(cands, scored, score, truth, isTruth, excluded, tiePos);
      const m = sums[mi]!;
      const hits10 = ranks.filter((r) => r <= 10).length;
      m.hits += hits10 > 0 ? 1 : 0;
      m.precision += hits10 / 10;
      m.recall += hits10 / truth.size;
      m.mrr += 1 / Math.min(...ranks);
    });
    for (const t of truth) isTruth[t] = 0;
  }
  const results: Record<string, Metrics> = {};
  METHODS.forEach((name, mi) => {
    const m = sums[mi]!;
    const k = users.length;
    results[name] = { hits: m.hits / k, precision: m.precision / k, recall: m.recall / k, mrr: m.mrr / k, users: k };
  });
  return { results, fit, fitMs, evalMs: Date.now() - evalStarted, usersWithHidden: hiddenOf.size };
}

/**
 * The 1-based rank of each hidden friend: scored candidates first (by score, ties in tie
 * order), then every other non-friend in tie order. Counting, not sorting: a rank is how many
 * candidates come before. `isTruth` marks the hidden friends by node id.
 */
function truthRanks(cands: Candidates, scored: number[], score: Float64Array, truth: Set<number>, isTruth: Uint8Array, excluded: ArrayLike<number>, tiePos: Int32Array): number[] {
  const ranks: number[] = [];
  const found: Array<{ id: number; score: number }> = [];
  for (let j = 0; j < scored.length; j++) {
    const id = cands.ids[scored[j]!]!;
    if (isTruth[id]) found.push({ id, score: score[j]! });
  }
  for (const t of found) {
    let before = 0;
    for (let j = 0; j < scored.length; j++) {
      const sx = score[j]!;
      if (sx > t.score || (sx === t.score && tiePos[cands.ids[scored[j]!]!]! < tiePos[t.id]!)) before += 1;
    }
    ranks.push(before + 1);
  }
  if (found.length === truth.size) return ranks;
  const inScored = new Set(found.map((f) => f.id));
  for (const t of truth) {
    if (inScored.has(t)) continue;
    // After all scored candidates; among the rest, those earlier in tie order that are neither scored nor excluded.
    let before = scored.length + tiePos[t]!;
    for (const s of scored) if (tiePos[cands.ids[s]!]! < tiePos[t]!) before -= 1;
    for (let i = 0; i < excluded.length; i++) if (tiePos[excluded[i]!]! < tiePos[t]!) before -= 1;
    ranks.push(before + 1);
  }
  return ranks;
}

export function formatTable(rows: Array<{ seed: number; method: string; m: Metrics }>): string {
  const lines = ['| seed | method | Hits@10 | P@10 | R@10 | MRR |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const name = r.method === LOOP ? `**${r.method}**` : r.method;
    lines.push(`| ${r.seed} | ${name} | ${r.m.hits.toFixed(4)} | ${r.m.precision.toFixed(4)} | ${r.m.recall.toFixed(4)} | ${r.m.mrr.toFixed(4)} |`);
  }
  return lines.join('\n');
}

/** The shared datasets (under --datasets) and their READMEs' protocols. */
const DATASETS = [
  { name: 'ego-Facebook', file: 'ego-facebook/facebook_combined.txt', users: undefined },
  { name: 'github-devs', file: 'github-devs/musae_git_edges.txt', users: 3000 },
];

async function main() {
  const { values } = parseArgs({
    options: {
      edges: { type: 'string' },
      // The shared datasets sit beside the main checkout (../shared from it).
      datasets: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared/datasets') },
      users: { type: 'string' },
      holdout: { type: 'string', default: '0.1' },
      seed: { type: 'string', multiple: true, default: ['1', '2', '3'] },
      write: { type: 'boolean', default: false },
    },
  });
  const holdout = Number(values.holdout);
  if (!(holdout > 0 && holdout < 1)) throw new Error('--holdout must be between 0 and 1');
  const seeds = values.seed!.flatMap((s) => s.split(',')).map(Number);
  const graphs = values.edges
    ? [{ name: path.basename(values.edges), file: values.edges, users: values.users ? Number(values.users) : undefined }]
    : DATASETS.map((d) => ({ ...d, file: path.join(values.datasets!, d.file) }));
  const sections: string[] = [];
  let everywhere = true;
  for (const g of graphs) {
    const edges = readEdges(g.file);
    const rows: Array<{ seed: number; method: string; m: Metrics }> = [];
    const fits: string[] = [];
    let allBeat = true;
    for (const seed of seeds) {
      const res = await evaluate(edges, holdout, seed, { users: g.users });
      for (const method of METHODS) rows.push({ seed, method, m: res.results[method]! });
      const p = (name: string) => res.results[name]!.precision;
      const beat = p(LOOP) > p('resource allocation') && p(LOOP) > p('Adamic-Adar');
      allBeat &&= beat;
      const f = res.fit!;
      fits.push(
        `seed ${seed}: ${f.source} from ${f.positives} hidden friends of ${f.viewers} people in ${(res.fitMs / 1000).toFixed(1)} s` +
          ` (held-out MRR within the pool ${f.validation.fitted.toFixed(4)}, prior ${f.validation.prior.toFixed(4)}); weights ${f.model.weights.map((w) => w.toFixed(3)).join(', ')}`,
      );
      console.error(
        `${g.name} seed ${seed}: ${res.results[LOOP]!.users} of ${res.usersWithHidden} users with hidden edges; fit ${(res.fitMs / 1000).toFixed(1)} s, ranking ${(res.evalMs / 1000).toFixed(1)} s; ` +
          `Loop P@10 ${p(LOOP).toFixed(4)} vs RA ${p('resource allocation').toFixed(4)}, AA ${p('Adamic-Adar').toFixed(4)} → ${beat ? 'beats both' : 'does NOT beat both'}`,
      );
    }
    const table = formatTable(rows);
    const sampled = g.users ? `a seeded random ${g.users.toLocaleString('en')} of the users with hidden edges` : 'every user with hidden edges';
    const verdict = `Loop's P@10 beats resource allocation and Adamic-Adar on ${allBeat ? 'every' : 'NOT every'} seed.`;
    everywhere &&= allBeat;
    console.log(`\n${g.name}: ${edges.length} edges, ${Math.round(holdout * 100)}% hidden, ${sampled}\n\n${table}\n\n${verdict}\n${fits.join('\n')}\n`);
    sections.push([`### ${g.name} (${edges.length.toLocaleString('en')} edges; ${sampled})`, '', table, '', verdict, '', 'Fitted models (weights in FEATURE_NAMES order):', '', ...fits.map((f) => `- ${f}`)].join('\n'));
  }
  if (values.write) {
    const args = values.edges ? ` -- --edges ${values.edges}${values.users ? ` --users ${values.users}` : ''} --seed ${seeds.join(',')}` : '';
    recordSection(
      'suggestions-eval',
      [
        '## Friend suggestions: offline evaluation (eval:suggestions)',
        '',
        `\`npm run eval:suggestions${args}\` (${new Date().toISOString().slice(0, 10)}; ${Math.round(holdout * 100)}% of edges hidden, every non-friend ranked, per-user top 10, averaged over the users scored).`,
        "Loop's model is fitted on each split's training graph only, by the code the worker runs on the live graph (docs/graph.md), and ranks the pool the service stores;",
        'the baselines (common neighbours, resource allocation, Adamic-Adar) rank every friend of a friend, computed in the same run on the same split.',
        '',
        ...sections.flatMap((s) => [s, '']),
        machineNote(),
      ].join('\n'),
    );
  }
  if (!everywhere) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
