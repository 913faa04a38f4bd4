import type { Order } from '@loop/contracts';

/** What each order state is called wherever an order is shown (the orders screens and order cards in chats). */
export const ORDER_STATUS_LABEL: Record<Order['status'], string> = {
  pending_payment: 'Waiting for payment',
  paid: 'Paid',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
};
