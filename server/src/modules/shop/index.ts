/**
 * The shop module's public face (docs/shop.md): its routes, its jobs, and the hook where order
 * notifications plug in. Other modules use these, never the shop's tables or inner files.
 */
export { shopRoutes } from './shop.routes.ts';
export { expireOrder } from './orders.service.ts';
export { refundPayment } from './checkout.service.ts';
export { onOrderChanged, type OrderChange, type OrderListener } from './order-events.ts';
export { productPageRoutes } from './product-page.ts';
// The product share card and /p/:id link detection register with messaging here.
import './shop-cards.ts';
