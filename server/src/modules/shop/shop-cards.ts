import { type ShareCardProvider, siteLinkDetector } from '../messaging/index.ts';
import { mayViewOrder } from './shop.policy.ts';
import { toOrderViews, toProductViews } from './shop.presenter.ts';
import * as repo from './shop.repo.ts';

/**
 * Products shared into chats (`share: { type: "product", id }`): the card is the public product
 * view, resolved when read, so a price change or sold-out shows everywhere at once. A product
 * link pasted into a chat (PUBLIC_URL/p/:id) becomes the same card.
 */
export const productShareCards: ShareCardProvider = {
  async resolve(ctx, _viewerId, ids) {
  const rows = await repo.findProducts(
    ctx.db,
    ids.filter((id) => /^[1-9][0-9]{0,18}$/.test(id)),
  );
  // Cards show what everybody sees (never the owner's stock figures), so all viewers share one.
  return new Map((await toProductViews(ctx, null, rows)).map((p) => [p.id, { product: p }]));
  },
  detectLink: siteLinkDetector('/p', 'product'),
};

/**
 * An order card (`share: { type: "order", id }`), for the shop's chats: only the order's buyer and
 * its shop's owner see it; to anyone else it is unavailable, like any hidden object.
 */
export const orderShareCards: ShareCardProvider = {
  async resolve(ctx, viewerId, ids) {
  const rows = await repo.findOrders(
    ctx.db,
    ids.filter((id) => /^[1-9][0-9]{0,18}$/.test(id)),
  );
  const shops = new Map((await repo.findShops(ctx.db, [...new Set(rows.map((r) => String(r.shop_id)))])).map((s) => [String(s.id), s]));
  const visible = rows.filter((o) => {
    const shop = shops.get(String(o.shop_id));
    return shop !== undefined && mayViewOrder(o, shop, viewerId);
  });
  return new Map(
    (await toOrderViews(ctx, visible)).map((o) => [
      o.id,
      { order: { id: o.id, status: o.status, totalMinor: o.totalMinor, currency: o.currency, shop: o.shop, items: o.items, createdAt: o.createdAt } },
    ]),
  );
  },
};
