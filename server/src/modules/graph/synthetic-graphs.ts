/**
 * Small synthetic friendship graphs with a known ("planted") rule of who befriends whom, for
 * the tests that check the fit learns the rule of the graph it is given. Each returns the
 * friendships as a flat [a, b, …] array over ids 0..n-1, the same for the same seed.
 */
import { seededRandom } from '../../platform/random/seeded-random.ts';

/**
 * Popularity decides everything (Chung-Lu): i and j are friends with probability w_i·w_j / Σw
 * for heavy-tailed weights w. A popular candidate is the likelier friend, which the prior's
 * discount of well-connected candidates gets backwards.
 */
export function popularityGraph(n: number, averageDegree: number, seed: number): Int32Array {
  const rnd = seededRandom(seed);
  const w = Array.from({ length: n }, () => 1 / Math.sqrt(1 - rnd() * 0.99));
  const scale = averageDegree / (w.reduce((a, b) => a + b, 0) / n);
  const total = w.reduce((a, b) => a + b * scale, 0);
  const pairs: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) if (rnd() < Math.min(1, (w[i]! * scale * w[j]! * scale) / total)) pairs.push(i, j);
  }
  return Int32Array.from(pairs);
}

/**
 * Friends come from small groups (of 10, each pair with probability 1/2), while a tenth of
 * the people are celebrities befriended by 30 strangers at random: a celebrity shares a
 * friend with almost everyone, yet is rarely the friend a person is missing — popularity
 * misleads here, more than the prior assumes.
 */
export function groupsWithCelebritiesGraph(n: number, seed: number): Int32Array {
  const rnd = seededRandom(seed);
  const edges = new Set<number>();
  const add = (a: number, b: number) => {
    if (a !== b) edges.add(Math.min(a, b) * n + Math.max(a, b));
  };
  for (let g = 0; g < n; g += 10) {
    for (let i = g; i < Math.min(n, g + 10); i++) for (let j = i + 1; j < Math.min(n, g + 10); j++) if (rnd() < 0.5) add(i, j);
  }
  for (let s = 0; s < n; s++) {
    if (rnd() >= 0.1) continue;
    for (let k = 0; k < 30; k++) add(s, Math.floor(rnd() * n));
  }
  return Int32Array.from([...edges].flatMap((e) => [Math.floor(e / n), e % n]));
}
