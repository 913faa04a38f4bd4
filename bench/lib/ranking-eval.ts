/**
 * The offline ranking protocol of `npm run eval:recommender` (the KuaiRec README's): for every
 * person with test rows, a ranker returns its top k among the allowed clips the person has no
 * training row for; P@k and NDCG@k (binary relevance) are averaged over those people. The
 * harness, not the ranker, enforces the protocol: a ranker that returns a clip it may not
 * (seen in training, not a candidate) or a duplicate is an error, not a silent bonus.
 */
import type { Interactions } from '../../server/src/modules/recommender/index.ts';
import { ndcgAt } from '../../server/src/modules/recommender/index.ts';

export interface RankingTask {
  train: Interactions;
  /** Person index (in `train`) → their relevant clip indices. */
  test: Map<number, Set<number>>;
  /** 1 for clips that may be recommended (all when absent). */
  allowed?: Uint8Array;
}

/** A ranker gets the person and the protocol's filter and returns clip indices, best first. */
export type Ranker = (user: number, ok: (item: number) => boolean, k: number) => readonly number[];

export interface RankingMetrics {
  precision: number;
  ndcg: number;
  users: number;
}

export function evaluateRanker(task: RankingTask, ranker: Ranker, k = 10): RankingMetrics {
  const { train, allowed } = task;
  let precision = 0;
  let ndcg = 0;
  const seen = new Uint8Array(train.items.length);
  for (const [u, relevant] of task.test) {
    for (let p = train.uPtr[u]!; p < train.uPtr[u + 1]!; p++) seen[train.uItems[p]!] = 1;
    const ok = (i: number) => seen[i] === 0 && (!allowed || allowed[i] === 1);
    const ranked = ranker(u, ok, k).slice(0, k);
    if (new Set(ranked).size !== ranked.length || ranked.some((i) => !ok(i))) {
      throw new Error(`ranker broke the protocol for person ${train.users[u]}: duplicates, seen or disallowed clips`);
    }
    precision += ranked.filter((i) => relevant.has(i)).length / k;
    ndcg += ndcgAt(ranked, relevant, k);
    for (let p = train.uPtr[u]!; p < train.uPtr[u + 1]!; p++) seen[train.uItems[p]!] = 0;
  }
  const n = task.test.size;
  return { precision: n ? precision / n : 0, ndcg: n ? ndcg / n : 0, users: n };
}
