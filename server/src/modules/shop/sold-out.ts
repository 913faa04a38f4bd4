import type { AppContext } from '../../app/context.ts';
import { announceChange, onChange, perNodeCache } from '../../platform/pubsub/invalidation.ts';

/**
 * Sold-out marks (docs/shop.md "The hot product"): what this node knows to be sold out, so that
 * a buyer of a product that is gone is answered 409 `out_of_stock` without a write — before the
 * idempotency claim, before the stock read, before a transaction (one batched read asks whether
 * the buyer's key is already known: a replay must still get its order) — instead of paying for an
 * order that can only roll back. A mark never decides that something IS available: the
 * reservation's conditional UPDATE alone does that. A mark can only refuse, so a stale one
 * costs refused buyers, never an oversell; that is why every way units come back clears it:
 *
 * - on this node at once and on the others through pub/sub (`unitsMayBeBack`, called after the
 *   commit of a release — cancel, refund, expiry — and of any owner edit of a product or its
 *   variants: stock, price, variants added or changed);
 * - after TTL_MS in any case (a clear lost between nodes costs seconds), and all of them when
 *   pub/sub reconnects;
 * - a mark from a read that may have started before a clear is not kept (`since`, as in
 *   messaging's SendRulesCache).
 *
 * A mark is "at most N units left" of a product (or of one of its variants), from a read that
 * showed too few: a buyer asking for more than N is refused, a buyer of fewer is not.
 */
const TTL_MS = 5_000;
/** Marks are small; past this many the oldest goes (it is only a shortcut). */
const MAX_PRODUCTS = 10_000;
/** Past this many remembered clears the record starts over (marks from reads in flight are then not kept). */
const MAX_REMEMBERED_CLEARS = 10_000;
const TOPIC = 'product-units';

export interface WantedLine {
  productId: string;
  variantId: string | null;
  quantity: number;
}

interface Mark {
  /** At most this many units were left. */
  left: number;
  until: number;
}

export class SoldOutMarks {
  /** productId → (variantId or '' → mark). */
  private readonly marks = new Map<string, Map<string, Mark>>();
  /** productId → the clear count when its units last may have come back. */
  private readonly cleared = new Map<string, number>();
  private clearCount = 0;
  /** Reads that started before this count cannot tell what was cleared since: their marks are not kept. */
  private floor = 0;
  /** Nothing is marked until clears from other nodes reach this one. */
  listening = false;

  /** Pass this, taken before reading the stock, to `mark`. */
  get now(): number {
    return this.clearCount;
  }

  /** True when a fresh mark says one of the lines wants more units than are left. */
  refuses(lines: Iterable<WantedLine>): boolean {
    const t = Date.now();
    for (const l of lines) {
      const byVariant = this.marks.get(l.productId);
      const m = byVariant?.get(l.variantId ?? '');
      if (!m) continue;
      if (m.until <= t) byVariant!.delete(l.variantId ?? '');
      else if (l.quantity > m.left) return true;
    }
    return false;
  }

  /** A read that started at `since` saw only `left` units of the line (fewer than wanted). */
  mark(line: WantedLine, left: number, since: number) {
    if (!this.listening || since < this.floor || (this.cleared.get(line.productId) ?? 0) > since) return;
    let byVariant = this.marks.get(line.productId);
    if (!byVariant) {
      // Map keeps insertion order: the first key is the oldest product marked.
      if (this.marks.size >= MAX_PRODUCTS) this.marks.delete(this.marks.keys().next().value!);
      byVariant = new Map();
      this.marks.set(line.productId, byVariant);
    }
    byVariant.set(line.variantId ?? '', { left: Math.max(0, left), until: Date.now() + TTL_MS });
  }

  /** Units of these products (any variant) may be back: their marks go. */
  clear(productIds: readonly string[]) {
    this.clearCount += 1;
    if (this.cleared.size + productIds.length > MAX_REMEMBERED_CLEARS) {
      this.cleared.clear();
      this.floor = this.clearCount;
    }
    for (const id of productIds) {
      this.cleared.set(id, this.clearCount);
      this.marks.delete(id);
    }
  }

  clearAll() {
    this.clearCount += 1;
    this.floor = this.clearCount;
    this.cleared.clear();
    this.marks.clear();
  }
}

const nodes = new WeakMap<AppContext, SoldOutMarks>();

/** The sold-out marks of one running server (tests run several in one process). */
export function soldOutMarks(ctx: AppContext): SoldOutMarks {
  // Until it hears of clears from other nodes nothing is marked: every buyer takes the full path.
  return perNodeCache(nodes, ctx, () => new SoldOutMarks(), (marks) => [onChange(ctx, TOPIC, (ids) => (ids ? marks.clear(ids) : marks.clearAll()))]);
}

/**
 * Units of these products may have come back (released, restocked, edited): every node drops
 * their marks. Call after the change committed (from `tx.afterCommit`, or after the statement).
 */
export function unitsMayBeBack(ctx: AppContext, productIds: readonly string[]) {
  soldOutMarks(ctx);
  announceChange(ctx, TOPIC, [...new Set(productIds)]);
}
