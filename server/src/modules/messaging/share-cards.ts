import { ShareRef, type ShareType, type ShareView } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { getUserViews } from '../accounts/index.ts';
import { blockedEitherWayIds } from '../graph/index.ts';

/**
 * Share cards are resolved when a message is read, never copied into it: a clip deleted or a
 * profile that blocks you turns into "unavailable" everywhere at once. The module that owns a
 * kind of object provides its cards (`shareCards` in its index.ts: video from sharing, later
 * product from shop, story from stories). A kind nobody provides cannot be shared: messaging
 * refuses it rather than store a reference nobody can check.
 */
export type ShareResolver = (ctx: AppContext, viewerId: string, ids: readonly string[]) => Promise<Map<string, Record<string, unknown>>>;

/**
 * The same answer for many viewers at once (viewerId → id → card), for a message that fans out to
 * everyone in several conversations: the objects are loaded once, not once per viewer.
 */
export type ShareResolverForViewers = (
  ctx: AppContext,
  viewerIds: readonly string[],
  ids: readonly string[],
) => Promise<Map<string, Map<string, Record<string, unknown>>>>;

/** Finds a shareable object's link in message text (e.g. PUBLIC_URL/v/:id) so it becomes a card. */
export type ShareLinkDetector = (ctx: AppContext, text: string) => { type: ShareType; id: string } | null;

/**
 * What a module provides for one kind of shared object: what its card shows a viewer (absent
 * from the map: unavailable), optionally how to answer many viewers in one go (otherwise one
 * call each), and optionally how its links pasted into a chat become cards.
 */
export interface ShareCardProvider {
  resolve: ShareResolver;
  resolveForViewers?: ShareResolverForViewers;
  detectLink?: ShareLinkDetector;
}

/**
 * A detector for links to this site's pages of one kind (PUBLIC_URL + `/v/<id>`, `/p/<id>`): the
 * first such link in a message becomes a card of `type`. The pattern is built once per context.
 */
export function siteLinkDetector(path: string, type: ShareType): ShareLinkDetector {
  const patterns = new WeakMap<AppContext, RegExp>();
  return (ctx, text) => {
    let re = patterns.get(ctx);
    if (!re) {
      const base = ctx.config.publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      re = new RegExp(`${base}${path}/([1-9][0-9]{0,18})(?![0-9A-Za-z])`, 'i');
      patterns.set(ctx, re);
    }
    const m = re.exec(text);
    return m ? { type, id: m[1]! } : null;
  };
}

/** The first shareable object linked from the text, if any. */
export function detectShareLink(ctx: AppContext, text: string): { type: ShareType; id: string } | null {
  for (const provider of ctx.modules.shareCards.values()) {
    const found = provider.detectLink?.(ctx, text) ?? null;
    // Only a link naming an object the way a share must (an id in range) becomes a card;
    // `/v/99999999999999999999` stays text rather than reaching a bigint column.
    if (found && ShareRef.safeParse(found).success) return found;
  }
  return null;
}

export function hasShareResolver(ctx: AppContext, type: ShareType): boolean {
  return ctx.modules.shareCards.has(type);
}

function groupByType(refs: ReadonlyArray<{ type: ShareType; id: string }>) {
  const byType = new Map<ShareType, Set<string>>();
  for (const r of refs) {
    let set = byType.get(r.type);
    if (!set) {
      set = new Set();
      byType.set(r.type, set);
    }
    set.add(r.id);
  }
  return byType;
}

/** Resolves many shares for one viewer, one call per kind. Keys are `type:id`. */
export async function resolveShares(ctx: AppContext, viewerId: string, refs: ReadonlyArray<{ type: ShareType; id: string }>): Promise<Map<string, ShareView>> {
  const byType = groupByType(refs);
  const out = new Map<string, ShareView>();
  await Promise.all(
    [...byType].map(async ([type, ids]) => {
      const resolver = ctx.modules.shareCards.get(type)?.resolve;
      const cards = resolver ? await resolver(ctx, viewerId, [...ids]) : new Map<string, Record<string, unknown>>();
      for (const id of ids) {
        const card = cards.get(id) ?? null;
        out.set(`${type}:${id}`, { type, id, status: card ? 'available' : 'unavailable', card });
      }
    }),
  );
  return out;
}

/**
 * `resolveShares` for many viewers at once: viewerId → (`type:id` → view). Each viewer gets
 * exactly what `resolveShares` would give them; kinds with a many-viewer resolver load once.
 */
export async function resolveSharesForViewers(
  ctx: AppContext,
  viewerIds: readonly string[],
  refs: ReadonlyArray<{ type: ShareType; id: string }>,
): Promise<Map<string, Map<string, ShareView>>> {
  const viewers = [...new Set(viewerIds)];
  const out = new Map<string, Map<string, ShareView>>(viewers.map((v) => [v, new Map()]));
  await Promise.all(
    [...groupByType(refs)].map(async ([type, set]) => {
      const ids = [...set];
      const resolver = ctx.modules.shareCards.get(type)?.resolve;
      const many = ctx.modules.shareCards.get(type)?.resolveForViewers;
      let cards: Map<string, Map<string, Record<string, unknown>>>;
      if (many) cards = await many(ctx, viewers, ids);
      else if (resolver) cards = new Map(await Promise.all(viewers.map(async (v) => [v, await resolver(ctx, v, ids)] as const)));
      else cards = new Map();
      // Viewers who get the same card share one view object (so frames built from it can be shared too).
      const shared = new Map<string, Map<Record<string, unknown> | null, ShareView>>(ids.map((id) => [id, new Map()]));
      for (const v of viewers) {
        const theirs = cards.get(v);
        const views = out.get(v)!;
        for (const id of ids) {
          const card = theirs?.get(id) ?? null;
          const same = shared.get(id)!;
          let view = same.get(card);
          if (!view) {
            view = { type, id, status: card ? 'available' : 'unavailable', card };
            same.set(card, view);
          }
          views.set(`${type}:${id}`, view);
        }
      }
    }),
  );
  return out;
}

/** A profile card: the public user view, unless either has blocked the other. */
export const userShareCards: ShareCardProvider = {
  async resolve(ctx, viewerId, ids) {
    const numeric = ids.filter((id) => /^[1-9][0-9]{0,18}$/.test(id));
    const [views, hidden] = await Promise.all([getUserViews(ctx, numeric), blockedEitherWayIds(ctx, viewerId)]);
    const hiddenSet = new Set(hidden.map(String));
    const out = new Map<string, Record<string, unknown>>();
    for (const [id, user] of views) if (!hiddenSet.has(id)) out.set(id, { user });
    return out;
  },
};
