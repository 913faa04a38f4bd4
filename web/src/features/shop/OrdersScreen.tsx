import type { Order } from '@loop/contracts';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../app/api.ts';
import { QueryView } from '../../app/query-view.tsx';
import { useSession } from '../../app/session.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { RelativeTime } from '../../ui/RelativeTime.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { ORDER_STATUS_LABEL } from './order-status.ts';
import { formatPrice } from './price.ts';
import { useMessageAboutOrder, useMyOrders, useOrder, useOrderMove, useOrdersLive, useShop, useShopOrders } from './shop-api.ts';
import './shop.css';
import { ShopError } from './ShopError.tsx';

function OrderRow({ order, to, who }: { order: Order; to: string; who: 'buyer' | 'shop' }) {
  const lines = order.items.map((i) => `${i.quantity} × ${i.product.title}${i.variant ? ` (${i.variant.label})` : ''}`).join(', ');
  return (
    <Link className="order-row" to={to} data-status={order.status}>
      <span className="order-row__main">
        <span className="order-row__title user-text">{lines}</span>
        <span className="shop-note">
          {who === 'buyer' ? <UserText>{order.shop.name}</UserText> : <UserText>@{order.buyer.username}</UserText>} · <RelativeTime iso={order.createdAt} />
          {order.source ? ` · from ${order.source.type === 'video' ? 'a clip' : order.source.type === 'message' ? 'a chat' : order.source.type}` : ''}
        </span>
      </span>
      <span className="order-row__side">
        <span className="order-row__total">{formatPrice(order.totalMinor, order.currency)}</span>
        <span className={`order-status order-status--${order.status}`}>{ORDER_STATUS_LABEL[order.status]}</span>
      </span>
    </Link>
  );
}

/** /orders — what I bought. */
export function OrdersScreen() {
  useOrdersLive();
  const orders = useMyOrders();
  return (
    <>
      <TopBar title="Your orders" back backTo="/settings" />
      <Page>
        <QueryView query={orders} skeleton={<Skeleton height={72} />} errorTitle="Couldn’t load your orders">
          {(items) =>
            items.length === 0 ? (
              <EmptyState icon="📦" title="No orders yet">
                Tap a product on a clip to buy it without leaving the video.
              </EmptyState>
            ) : (
              <ul className="order-list" aria-label="Orders">
                {items.map((o) => (
                  <li key={o.id}>
                    <OrderRow order={o} to={`/orders/${o.id}`} who="buyer" />
                  </li>
                ))}
              </ul>
            )
          }
        </QueryView>
      </Page>
    </>
  );
}

/** /shop/:ref/orders — the shop's orders, for its owner: ship, refund, cancel. */
export function ShopOrdersScreen() {
  useOrdersLive();
  const { ref = '' } = useParams();
  const shop = useShop(ref);
  const orders = useShopOrders(shop.data?.id);
  return (
    <>
      <TopBar title={shop.data ? `Orders · ${shop.data.name}` : 'Orders'} back backTo={`/shop/${ref}`} />
      <Page>
        <QueryView query={orders} skeleton={<Skeleton height={72} />} errorTitle="Couldn’t load the orders">
          {(items) =>
            items.length === 0 ? (
              <EmptyState icon="📦" title="No orders yet">
                Orders appear here the moment a buyer pays.
              </EmptyState>
            ) : (
              <ul className="order-list" aria-label="Shop orders">
                {items.map((o) => (
                  <li key={o.id}>
                    <OrderRow order={o} to={`/orders/${o.id}`} who="shop" />
                  </li>
                ))}
              </ul>
            )
          }
        </QueryView>
      </Page>
    </>
  );
}

const STEPS: Array<{ status: Order['status']; label: string }> = [
  { status: 'pending_payment', label: 'Ordered' },
  { status: 'paid', label: 'Paid' },
  { status: 'shipped', label: 'Shipped' },
  { status: 'delivered', label: 'Delivered' },
];

/** /orders/:id — one order with its status timeline; the buyer and the shop's owner each get their actions. */
export function OrderScreen() {
  useOrdersLive();
  const { id = '' } = useParams();
  const order = useOrder(id);
  const move = useOrderMove();
  const message = useMessageAboutOrder();
  const navigate = useNavigate();
  const session = useSession();
  const myId = session.status === 'signed-in' ? session.me.user.id : null;
  return (
    <>
      <TopBar title="Order" back backTo="/orders" />
      <Page>
        <QueryView
          query={order}
          skeleton={<Skeleton height={240} />}
          errorTitle="Couldn’t load this order"
          renderError={(err) => (err instanceof ApiError && (err.status === 404 || err.status === 400) ? <EmptyState icon="📦" title="This order isn’t available" /> : undefined)}
        >
          {(o) => {
            const isShop = o.shop.ownerId === myId;
            const reached = STEPS.findIndex((s) => s.status === o.status);
            const ended = o.status === 'cancelled' || o.status === 'refunded';
            const act = (action: 'cancel' | 'ship' | 'deliver' | 'refund') => move.mutate({ orderId: o.id, action });
            return (
              <div className="order" data-testid="order" data-status={o.status}>
                <p className={`order-status order-status--${o.status}`}>{ORDER_STATUS_LABEL[o.status]}</p>
                <ol className="timeline" aria-label="Order progress">
                  {STEPS.map((s, i) => (
                    <li key={s.status} className={!ended && i <= reached ? 'timeline__step timeline__step--done' : 'timeline__step'}>
                      {s.label}
                    </li>
                  ))}
                  {ended ? <li className="timeline__step timeline__step--ended">{ORDER_STATUS_LABEL[o.status]}{o.cancelReason === 'expired' ? ' (not paid in time)' : ''}</li> : null}
                </ol>
                <ul className="order__items" aria-label="Items">
                  {o.items.map((i) => (
                    <li key={`${i.product.id}:${i.variant?.id ?? ''}`} className="order__item">
                      <Link to={`/p/${i.product.id}`} className="user-text">
                        {i.quantity} × {i.product.title}
                        {i.variant ? ` (${i.variant.label})` : ''}
                      </Link>
                      <span>{formatPrice(i.priceMinor * i.quantity, o.currency)}</span>
                    </li>
                  ))}
                  <li className="order__item order__item--total">
                    <span>Total</span>
                    <span>{formatPrice(o.totalMinor, o.currency)}</span>
                  </li>
                </ul>
                <p className="shop-note">
                  {isShop ? (
                    <>
                      Buyer <UserText>@{o.buyer.username}</UserText> ·{' '}
                    </>
                  ) : (
                    <>
                      From <Link to={`/shop/${o.shop.handle}`}><UserText>{o.shop.name}</UserText></Link> ·{' '}
                    </>
                  )}
                  ships to <UserText>{o.shippingAddress.name}</UserText>, <UserText>{o.shippingAddress.line1}</UserText>, <UserText>{o.shippingAddress.city}</UserText>
                </p>
                <div className="order__actions">
                  {isShop && o.status === 'paid' ? (
                    <Button variant="primary" loading={move.isPending} onClick={() => act('ship')}>
                      Mark as shipped
                    </Button>
                  ) : null}
                  {isShop && o.status === 'shipped' ? (
                    <Button loading={move.isPending} onClick={() => act('deliver')}>
                      Mark as delivered
                    </Button>
                  ) : null}
                  {isShop && (o.status === 'paid' || o.status === 'shipped' || o.status === 'delivered') ? (
                    <Button variant="danger" loading={move.isPending} onClick={() => act('refund')}>
                      Refund
                    </Button>
                  ) : null}
                  {o.status === 'pending_payment' || o.status === 'paid' ? (
                    <Button variant="danger" loading={move.isPending} onClick={() => act('cancel')}>
                      Cancel order
                    </Button>
                  ) : null}
                  {isShop ? (
                    <Button loading={message.isPending} onClick={() => message.mutate({ orderId: o.id, myId: myId ?? '' }, { onSuccess: (cid) => navigate(`/inbox/${cid}`) })}>
                      Message the buyer
                    </Button>
                  ) : (
                    <Button loading={message.isPending} onClick={() => message.mutate({ orderId: o.id, myId: myId ?? '' }, { onSuccess: (cid) => navigate(`/inbox/${cid}`) })}>
                      Message the shop
                    </Button>
                  )}
                </div>
                <ShopError error={move.error ?? message.error} />
              </div>
            );
          }}
        </QueryView>
      </Page>
    </>
  );
}
