/**
 * The social graph in memory as typed arrays, for the two places that need all of it at once:
 * fitting the suggestion model (the worker) and `npm run eval:suggestions`. Both gather each
 * person's candidates here exactly as the service's SQL does (suggestions.repo.ts
 * `graphCandidates`): friends of friends with mutual friends, resource allocation and
 * Adamic-Adar; people friends follow one-way; followers not followed back.
 */
import { type CandidateFeatures, followBackRate } from './suggestion-ranking.ts';

/** Friendships (mutual follows) and one-way follows over dense ids 0..n-1, as CSR arrays. */
export interface SocialGraph {
  n: number;
  /** friends of v: friends[friendStart[v] .. friendStart[v+1]). */
  friendStart: Int32Array;
  friends: Int32Array;
  /** whom v follows without being followed back. */
  followingStart: Int32Array;
  following: Int32Array;
  /** who follows v without v following back. */
  followerStart: Int32Array;
  followers: Int32Array;
}

/** Compressed rows of `pairs` (flat [from, to, from, to, …]), both ways when `undirected`. */
function csr(n: number, pairs: Int32Array, undirected: boolean, reverse = false) {
  const start = new Int32Array(n + 1);
  const m = pairs.length >> 1;
  const from = reverse ? 1 : 0;
  for (let i = 0; i < m; i++) {
    start[pairs[2 * i + from]! + 1]! += 1;
    if (undirected) start[pairs[2 * i + 1 - from]! + 1]! += 1;
  }
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, n);
  const out = new Int32Array(start[n]!);
  for (let i = 0; i < m; i++) {
    const a = pairs[2 * i + from]!;
    const b = pairs[2 * i + 1 - from]!;
    out[fill[a]!++] = b;
    if (undirected) out[fill[b]!++] = a;
  }
  return { start, out };
}

/**
 * Builds the graph from friendships (each pair once) and one-way follows (follower, followee),
 * both flat pair arrays over ids below `n`.
 */
export function buildSocialGraph(n: number, friendships: Int32Array, oneWay: Int32Array = new Int32Array(0)): SocialGraph {
  const f = csr(n, friendships, true);
  const out = csr(n, oneWay, false);
  const inn = csr(n, oneWay, false, true);
  return { n, friendStart: f.start, friends: f.out, followingStart: out.start, following: out.out, followerStart: inn.start, followers: inn.out };
}

export const friendCount = (g: SocialGraph, v: number) => g.friendStart[v + 1]! - g.friendStart[v]!;

/** Every friendship once, as a flat [a, b, …] array with a < b. */
export function friendshipsOf(g: SocialGraph): Int32Array {
  const pairs = new Int32Array(g.friends.length);
  let k = 0;
  for (let a = 0; a < g.n; a++) {
    for (let i = g.friendStart[a]!; i < g.friendStart[a + 1]!; i++) {
      const b = g.friends[i]!;
      if (a < b) {
        pairs[k++] = a;
        pairs[k++] = b;
      }
    }
  }
  return pairs.slice(0, k);
}

/** Every one-way follow as a flat [follower, followee, …] array. */
export function oneWayFollowsOf(g: SocialGraph): Int32Array {
  const pairs = new Int32Array(2 * g.following.length);
  for (let a = 0, k = 0; a < g.n; a++) {
    for (let i = g.followingStart[a]!; i < g.followingStart[a + 1]!; i++) {
      pairs[k++] = a;
      pairs[k++] = g.following[i]!;
    }
  }
  return pairs;
}

/** How big the candidate pool of one person may grow: the service's limits (suggestions.service.ts). */
export interface PoolLimits {
  topByResourceAllocation: number;
  topFollowedByFriends: number;
  followers: number;
  degreeCountCap: number;
}

/**
 * One person's candidates, as parallel arrays indexed by slot: every friend of a friend (what
 * the baselines in the evaluation rank), everyone friends follow one-way, and followers.
 * `pool` lists the slots the service would store: the best by resource allocation, the most
 * followed by friends without a mutual friend, and followers.
 */
export interface Candidates {
  count: number;
  ids: Int32Array;
  mutualFriends: Int32Array;
  resourceAllocation: Float64Array;
  adamicAdar: Float64Array;
  followedByFriends: Int32Array;
  followsYou: Uint8Array;
  pool: number[];
}

/**
 * Gathers candidates person by person over one graph. It keeps per-node accumulators the size
 * of the graph and resets only what it touched, so a person costs their two-hop neighbourhood,
 * not the graph.
 */
export class CandidateCollector {
  private readonly slot: Int32Array;
  private readonly ids: Int32Array;
  private readonly cn: Int32Array;
  private readonly ra: Float64Array;
  private readonly aa: Float64Array;
  private readonly fbf: Int32Array;
  private readonly fy: Uint8Array;
  private readonly excluded: Uint8Array;
  private count = 0;

  constructor(
    private readonly g: SocialGraph,
    private readonly limits: PoolLimits,
  ) {
    this.slot = new Int32Array(g.n).fill(-1);
    this.ids = new Int32Array(g.n);
    this.cn = new Int32Array(g.n);
    this.ra = new Float64Array(g.n);
    this.aa = new Float64Array(g.n);
    this.fbf = new Int32Array(g.n);
    this.fy = new Uint8Array(g.n);
    this.excluded = new Uint8Array(g.n);
  }

  private touch(c: number): number {
    let s = this.slot[c]!;
    if (s < 0) {
      s = this.count;
      this.slot[c] = s;
      this.ids[s] = c;
      this.cn[s] = 0;
      this.ra[s] = 0;
      this.aa[s] = 0;
      this.fbf[s] = 0;
      this.fy[s] = 0;
      this.count += 1;
    }
    return s;
  }

  /** Candidates of `u`; the arrays are copies, valid after the next call. */
  collect(u: number): Candidates {
    const g = this.g;
    const mark = (v: number, on: number) => {
      this.excluded[v] = on;
    };
    // Never yourself, a friend, or someone you already follow.
    mark(u, 1);
    for (let i = g.friendStart[u]!; i < g.friendStart[u + 1]!; i++) mark(g.friends[i]!, 1);
    for (let i = g.followingStart[u]!; i < g.followingStart[u + 1]!; i++) mark(g.following[i]!, 1);
    this.count = 0;
    for (let i = g.friendStart[u]!; i < g.friendStart[u + 1]!; i++) {
      const z = g.friends[i]!;
      const dz = friendCount(g, z);
      const inv = 1 / dz;
      // A mutual friend has at least two friends (u and c), so log(dz) > 0.
      const invLog = dz > 1 ? 1 / Math.log(dz) : 0;
      for (let j = g.friendStart[z]!; j < g.friendStart[z + 1]!; j++) {
        const c = g.friends[j]!;
        if (this.excluded[c]) continue;
        const s = this.touch(c);
        this.cn[s]! += 1;
        this.ra[s]! += inv;
        this.aa[s]! += invLog;
      }
      for (let j = g.followingStart[z]!; j < g.followingStart[z + 1]!; j++) {
        const c = g.following[j]!;
        if (!this.excluded[c]) this.fbf[this.touch(c)]! += 1;
      }
    }
    const L = this.limits;
    let followerCount = 0;
    const followerSlots: number[] = [];
    for (let i = g.followerStart[u]!; i < g.followerStart[u + 1]!; i++) {
      const c = g.followers[i]!;
      if (this.excluded[c]) continue;
      const s = this.touch(c);
      this.fy[s] = 1;
      if (followerCount++ < L.followers) followerSlots.push(s);
    }
    const k = this.count;
    const out: Candidates = {
      count: k,
      ids: this.ids.slice(0, k),
      mutualFriends: this.cn.slice(0, k),
      resourceAllocation: this.ra.slice(0, k),
      adamicAdar: this.aa.slice(0, k),
      followedByFriends: this.fbf.slice(0, k),
      followsYou: this.fy.slice(0, k),
      pool: [],
    };
    // Reset what this person touched.
    for (let s = 0; s < k; s++) this.slot[this.ids[s]!] = -1;
    mark(u, 0);
    for (let i = g.friendStart[u]!; i < g.friendStart[u + 1]!; i++) mark(g.friends[i]!, 0);
    for (let i = g.followingStart[u]!; i < g.followingStart[u + 1]!; i++) mark(g.following[i]!, 0);

    // The pool the service stores (same caps and order as graphCandidates: ties by higher id).
    const withMutual: number[] = [];
    const withoutMutual: number[] = [];
    for (let s = 0; s < k; s++) {
      if (out.mutualFriends[s]! > 0) withMutual.push(s);
      else if (out.followedByFriends[s]! > 0) withoutMutual.push(s);
    }
    const byRa = topK(withMutual, L.topByResourceAllocation, out.resourceAllocation, out.ids);
    const byFollowed = topK(withoutMutual, L.topFollowedByFriends, out.followedByFriends, out.ids);
    const inPool = new Set([...byRa, ...byFollowed, ...followerSlots]);
    out.pool = [...inPool];
    return out;
  }

  /** The features the ranking reads for candidate slot `s` of `cands` (degrees capped as the service caps them). */
  features(u: number, cands: Candidates, s: number): CandidateFeatures {
    const cap = this.limits.degreeCountCap;
    const viewerDegree = Math.min(friendCount(this.g, u), cap);
    const oneWayFollowers = Math.min(this.g.followerStart[u + 1]! - this.g.followerStart[u]!, cap);
    return {
      mutualFriends: cands.mutualFriends[s]!,
      resourceAllocation: cands.resourceAllocation[s]!,
      adamicAdar: cands.adamicAdar[s]!,
      candidateDegree: Math.min(friendCount(this.g, cands.ids[s]!), this.limits.degreeCountCap),
      viewerDegree,
      followsYou: cands.followsYou[s] === 1,
      followedByFriends: cands.followedByFriends[s]!,
      viewerFollowBackRate: followBackRate(viewerDegree, oneWayFollowers),
    };
  }
}

/**
 * The `k` slots with the highest `value`, ties to the higher id (as the SQL orders). A
 * quickselect finds the cut-off in linear time; only the ties at the cut-off are ordered by id.
 */
function topK(slots: number[], k: number, value: ArrayLike<number>, ids: Int32Array): number[] {
  if (slots.length <= k) return slots;
  const vals = new Float64Array(slots.length);
  for (let i = 0; i < slots.length; i++) vals[i] = value[slots[i]!]!;
  const cut = kthLargest(vals, k);
  const above = slots.filter((s) => value[s]! > cut);
  const at = slots.filter((s) => value[s] === cut).sort((a, b) => ids[b]! - ids[a]!);
  return above.concat(at.slice(0, k - above.length));
}

/** The k-th largest of `a` (1-based), reordering `a` in place (Hoare's selection). */
function kthLargest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
}
