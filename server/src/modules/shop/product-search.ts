import type { AppContext } from '../../app/context.ts';
import { type CursorScope, decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { toProductViews } from './shop.presenter.ts';
import * as repo from './shop.repo.ts';

/**
 * Product search (GET /search?type=products, composed by the discovery module): titles that
 * start with the text, then titles containing it, then titles with a word close to it (typos);
 * newest first within each. `hiddenOwnerIds` are people the viewer must not see (blocks): their
 * shops' products are left out.
 */
export async function searchProducts(ctx: AppContext, viewerId: string | null, q: string, page: { cursor?: string; limit: number }, hiddenOwnerIds: readonly string[] = []) {
  const needle = q.trim().replace(/\s+/g, ' ').toLowerCase();
  const scope: CursorScope = { list: `search:products:${needle}`, viewer: viewerId };
  const c = decodeCursor(scope, page.cursor, 2);
  const rows = await repo.searchProducts(ctx.db, { needle, hiddenOwnerIds, after: c ? { tier: Number(c[0]), id: String(c[1]) } : null, limit: page.limit + 1 });
  const views = new Map((await toProductViews(ctx, viewerId, rows)).map((p) => [p.id, p]));
  const kept = toPage(scope, rows, page.limit, (r) => views.get(String(r.id)), (r) => [r.tier, String(r.id)]);
  return { items: kept.items.filter((p) => p !== undefined), nextCursor: kept.nextCursor };
}
