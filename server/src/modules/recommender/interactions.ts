/**
 * The interaction matrix every part of the recommender reads: people × clips, with a weight
 * (how strong the interaction was) and a time. Dense integer indices over typed arrays, kept
 * both by person (CSR, each person's clips oldest first) and by clip (CSC), so the models do
 * no hashing in their inner loops.
 */
export interface Interactions {
  users: string[];
  items: string[];
  userIndex: Map<string, number>;
  itemIndex: Map<string, number>;
  /** By person: clips `uItems[uPtr[u] .. uPtr[u+1])`, oldest first. */
  uPtr: Int32Array;
  uItems: Int32Array;
  uWeights: Float32Array;
  uTimes: Float64Array;
  /** By clip: people `iUsers[iPtr[i] .. iPtr[i+1])`. */
  iPtr: Int32Array;
  iUsers: Int32Array;
  iWeights: Float32Array;
  /** How many people interacted with each clip. */
  popularity: Float64Array;
}

export interface Interaction {
  user: string;
  item: string;
  weight: number;
  /** Seconds; 0 when unknown. */
  time: number;
}

/** Builds the matrix. A (person, clip) pair seen twice is one entry: weights add, the later time counts. */
export function buildInteractions(rows: Iterable<Interaction>, known?: { users?: string[]; items?: string[] }): Interactions {
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const users: string[] = [];
  const items: string[] = [];
  const indexOf = (index: Map<string, number>, list: string[], id: string) => {
    const at = index.get(id);
    if (at !== undefined) return at;
    index.set(id, list.length);
    return list.push(id) - 1;
  };
  for (const u of known?.users ?? []) indexOf(userIndex, users, u);
  for (const i of known?.items ?? []) indexOf(itemIndex, items, i);
  const us: number[] = [];
  const is: number[] = [];
  const ws: number[] = [];
  const ts: number[] = [];
  for (const r of rows) {
    if (!(r.weight > 0)) continue;
    us.push(indexOf(userIndex, users, r.user));
    is.push(indexOf(itemIndex, items, r.item));
    ws.push(r.weight);
    ts.push(r.time);
  }
  return fromTriples(users, items, userIndex, itemIndex, Int32Array.from(us), Int32Array.from(is), Float32Array.from(ws), Float64Array.from(ts));
}

/** The same people and clips, keeping only the entries where `keep(u, k)` holds (k: position in CSR). */
export function subset(x: Interactions, keep: (u: number, k: number) => boolean): Interactions {
  const us: number[] = [];
  const is: number[] = [];
  const ws: number[] = [];
  const ts: number[] = [];
  for (let u = 0; u < x.users.length; u++) {
    for (let k = x.uPtr[u]!; k < x.uPtr[u + 1]!; k++) {
      if (!keep(u, k)) continue;
      us.push(u);
      is.push(x.uItems[k]!);
      ws.push(x.uWeights[k]!);
      ts.push(x.uTimes[k]!);
    }
  }
  return fromTriples(x.users, x.items, x.userIndex, x.itemIndex, Int32Array.from(us), Int32Array.from(is), Float32Array.from(ws), Float64Array.from(ts));
}

function fromTriples(
  users: string[],
  items: string[],
  userIndex: Map<string, number>,
  itemIndex: Map<string, number>,
  us: Int32Array,
  is: Int32Array,
  ws: Float32Array,
  ts: Float64Array,
): Interactions {
  const nU = users.length;
  const nI = items.length;
  // Order: by person, then time, then input order (a stable sort keeps file order for equal times).
  const order = Array.from({ length: us.length }, (_, k) => k).sort((a, b) => us[a]! - us[b]! || ts[a]! - ts[b]! || a - b);
  // Merge duplicates per person (a hash per person only: the lists are short).
  const uPtr = new Int32Array(nU + 1);
  const outI: number[] = [];
  const outW: number[] = [];
  const outT: number[] = [];
  let k = 0;
  for (let u = 0; u < nU; u++) {
    uPtr[u] = outI.length;
    const at = new Map<number, number>();
    for (; k < order.length && us[order[k]!] === u; k++) {
      const e = order[k]!;
      const i = is[e]!;
      const prev = at.get(i);
      if (prev === undefined) {
        at.set(i, outI.length);
        outI.push(i);
        outW.push(ws[e]!);
        outT.push(ts[e]!);
      } else {
        outW[prev]! += ws[e]!;
        outT[prev] = Math.max(outT[prev]!, ts[e]!);
      }
    }
  }
  uPtr[nU] = outI.length;
  const uItems = Int32Array.from(outI);
  const uWeights = Float32Array.from(outW);
  const uTimes = Float64Array.from(outT);
  // Duplicates merged into an earlier slot may have moved its time: restore oldest-first per person.
  for (let u = 0; u < nU; u++) sortSegment(uItems, uWeights, uTimes, uPtr[u]!, uPtr[u + 1]!);
  const iPtr = new Int32Array(nI + 1);
  for (const i of uItems) iPtr[i + 1]!++;
  for (let i = 0; i < nI; i++) iPtr[i + 1]! += iPtr[i]!;
  const fill = iPtr.slice(0, nI);
  const iUsers = new Int32Array(uItems.length);
  const iWeights = new Float32Array(uItems.length);
  for (let u = 0; u < nU; u++) {
    for (let p = uPtr[u]!; p < uPtr[u + 1]!; p++) {
      const i = uItems[p]!;
      const at = fill[i]!++;
      iUsers[at] = u;
      iWeights[at] = uWeights[p]!;
    }
  }
  const popularity = new Float64Array(nI);
  for (let i = 0; i < nI; i++) popularity[i] = iPtr[i + 1]! - iPtr[i]!;
  return { users, items, userIndex, itemIndex, uPtr, uItems, uWeights, uTimes, iPtr, iUsers, iWeights, popularity };
}

function sortSegment(items: Int32Array, weights: Float32Array, times: Float64Array, from: number, to: number) {
  let sorted = true;
  for (let k = from + 1; k < to && sorted; k++) sorted = times[k - 1]! <= times[k]!;
  if (sorted) return;
  const idx = Array.from({ length: to - from }, (_, k) => from + k).sort((a, b) => times[a]! - times[b]! || a - b);
  const it = idx.map((k) => items[k]!);
  const w = idx.map((k) => weights[k]!);
  const t = idx.map((k) => times[k]!);
  items.set(it, from);
  weights.set(w, from);
  times.set(t, from);
}

/** A person's history as the models take it: clip indices, weights and times, oldest first. */
export interface History {
  items: Int32Array;
  weights: Float32Array;
  times: Float64Array;
}

export function historyOf(x: Interactions, u: number): History {
  const a = x.uPtr[u]!;
  const b = x.uPtr[u + 1]!;
  return { items: x.uItems.subarray(a, b), weights: x.uWeights.subarray(a, b), times: x.uTimes.subarray(a, b) };
}

