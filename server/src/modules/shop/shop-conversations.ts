import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../app/errors.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import { conversationView, insertShopConversation } from '../messaging/index.ts';
import { loadVisibleOrder } from './orders.service.ts';
import { ownsShop } from './shop.policy.ts';
import * as repo from './shop.repo.ts';
import { requireShop } from './shops.service.ts';

/**
 * Chats between buyers and shops (conversation kind `shop`, docs/shop.md): one per shop and
 * buyer, opened by the buyer ("Message the shop") or from an order by either side. The shop's
 * owner finds them in the `shop` folder of their inbox, apart from their friends.
 */
async function ensureShopConversation(ctx: AppContext, shop: repo.ShopRow, buyerId: string): Promise<{ id: string; created: boolean }> {
  const shopId = String(shop.id);
  const existing = await repo.findShopConversation(ctx.db, shopId, buyerId);
  if (existing) return { id: existing, created: false };
  try {
    const id = await inTransaction(ctx.db, async (tx) => {
      const conversationId = await insertShopConversation(tx, buyerId, String(shop.owner_id), shop.name);
      await repo.insertShopConversationLink(tx, shopId, buyerId, conversationId);
      return conversationId;
    });
    return { id, created: true };
  } catch (err) {
    // Opened twice at once: the primary key decides; the loser's conversation rolled back with it.
    if ((err as { code?: string }).code === '23505') {
      const winner = await repo.findShopConversation(ctx.db, shopId, buyerId);
      if (winner) return { id: winner, created: false };
    }
    throw err;
  }
}

/** POST /shops/:id/conversations: the caller and the shop. */
export async function openShopConversation(ctx: AppContext, userId: string, shopId: string) {
  const shop = await requireShop(ctx, shopId);
  if (ownsShop(shop, userId)) throw new AppError('own_shop', 409, 'This is your own shop: its chats with buyers are in your shop inbox');
  const { id, created } = await ensureShopConversation(ctx, shop, userId);
  return { conversation: await conversationView(ctx, userId, id), created };
}

/** POST /orders/:id/conversation: the order's buyer and its shop, for either of them. */
export async function openOrderConversation(ctx: AppContext, userId: string, orderId: string) {
  const { order, shop } = await loadVisibleOrder(ctx, userId, orderId);
  const { id, created } = await ensureShopConversation(ctx, shop, String(order.buyer_id));
  return { conversation: await conversationView(ctx, userId, id), created };
}
