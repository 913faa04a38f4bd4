import type { LoopModule } from '../../app/wiring.ts';
import { forgetOldAnswers } from '../../platform/idempotency/idempotency.ts';
import { refundPayment } from './checkout.service.ts';
import { orderFrames } from './order-events.ts';
import { pollShareCards } from './friends-shopping.service.ts';
import { expireOrder } from './orders.service.ts';
import { productPageRoutes } from './product-page.ts';
import { orderShareCards, productShareCards } from './shop-cards.ts';
import { shopRoutes } from './shop.routes.ts';

/**
 * Shops, products, orders and checkout (docs/shop.md); owns the shop, product, order and payment
 * tables; records `order.changed` for every move (the buyer's and shop's notifications come from it). Provides messaging with product and order cards (a product link pasted in a chat
 * becomes a card), the /p/:id page, and the jobs that expire unpaid orders and refund late payments.
 */
export const shopModule: LoopModule = {
  name: 'shop',
  provides: {
    routes: [shopRoutes],
    siteRoutes: [productPageRoutes],
    shareCards: { product: productShareCards, order: orderShareCards, poll: pollShareCards },
    events: { 'order.changed': [orderFrames] },
    jobs: {
      'order.expire': { run: (ctx, p) => expireOrder(ctx, p.orderId) },
      'payment.refund': { run: (ctx, p) => refundPayment(ctx, p.paymentId) },
    },
    housekeeping: [
      // A retry comes within minutes; a week is far past any client's retry window (Stripe keeps keys for 24 h).
      async (ctx) => {
        await forgetOldAnswers(ctx.db, 7);
      },
    ],
  },
  uses: ['accounts', 'graph', 'media', 'messaging'],
};

export { findOrderSummary, type OrderSummary } from './orders.service.ts';
export { searchProducts } from './product-search.ts';
/** A product as `viewerId` sees it, or a 404 `product_not_found` (a live pins products by id). */
export { getProduct } from './shops.service.ts';
