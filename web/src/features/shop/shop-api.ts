import { Message, Order, type PollChoice, Product, ProductPoll, ShippingAddress, Shop, page } from '@loop/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../../app/api.ts';
import { useRealtime, useRealtimeFrames } from '../../app/realtime/socket.ts';

/** The shop's calls (API.md "Shops, products, orders"; docs/shop.md). */

const ProductPage = page(Product);
const OrderPage = page(Order);
const ShopPage = page(Shop);
const OrderResult = z.object({ order: Order });

export const shopKeys = {
  videoProducts: (videoId: string) => ['video-products', videoId] as const,
  product: (id: string) => ['product', id] as const,
  shop: (ref: string) => ['shop', ref] as const,
  shopProducts: (id: string) => ['shop-products', id] as const,
  myShops: ['my-shops'] as const,
  myOrders: ['my-orders'] as const,
  order: (id: string) => ['order', id] as const,
  shopOrders: (id: string) => ['shop-orders', id] as const,
  address: ['shipping-address'] as const,
  wishlist: (userId: string) => ['wishlist', userId] as const,
};
const ProductResult = z.object({ product: Product });

/**
 * Order screens follow moves made elsewhere (the shop ships, a payment lands, the reservation
 * runs out): an `order.updated` frame refetches the order and the lists it is in; a reconnect
 * refetches them all, since frames may have been missed meanwhile.
 */
export function useOrdersLive() {
  const qc = useQueryClient();
  useRealtime(true);
  useRealtimeFrames((f) => {
    const one = f.type === 'order.updated';
    if (!one && f.type !== 'ready' && f.type !== 'resync') return;
    void qc.invalidateQueries({ queryKey: one ? shopKeys.order(f.orderId) : ['order'] });
    void qc.invalidateQueries({ queryKey: shopKeys.myOrders });
    void qc.invalidateQueries({ queryKey: ['shop-orders'] });
  });
}

/** The product bar of a clip: asked only for the clip on screen. */
export function useVideoProducts(videoId: string, enabled: boolean) {
  return useQuery({
    queryKey: shopKeys.videoProducts(videoId),
    queryFn: ({ signal }) => api(`/videos/${videoId}/products`, { schema: ProductPage, signal }).then((r) => r.items),
    enabled,
    staleTime: 60_000,
  });
}

export function useProduct(id: string | null) {
  return useQuery({
    queryKey: shopKeys.product(id ?? ''),
    queryFn: ({ signal }) => api(`/products/${id}`, { schema: ProductResult, signal }).then((r) => r.product),
    enabled: id !== null,
  });
}

export function useShop(ref: string) {
  return useQuery({ queryKey: shopKeys.shop(ref), queryFn: ({ signal }) => api(`/shops/${encodeURIComponent(ref)}`, { schema: z.object({ shop: Shop }), signal }).then((r) => r.shop) });
}

export function useShopProducts(id: string | undefined) {
  return useQuery({
    queryKey: shopKeys.shopProducts(id ?? ''),
    queryFn: ({ signal }) => api(`/shops/${id}/products`, { query: { limit: 100 }, schema: ProductPage, signal }).then((r) => r.items),
    enabled: id !== undefined,
  });
}

export function useMyShops() {
  return useQuery({ queryKey: shopKeys.myShops, queryFn: ({ signal }) => api('/me/shops', { schema: ShopPage, signal }).then((r) => r.items) });
}

export function useMyOrders() {
  return useQuery({ queryKey: shopKeys.myOrders, queryFn: ({ signal }) => api('/me/orders', { query: { limit: 50 }, schema: OrderPage, signal }).then((r) => r.items) });
}

export function useShopOrders(shopId: string | undefined) {
  return useQuery({
    queryKey: shopKeys.shopOrders(shopId ?? ''),
    queryFn: ({ signal }) => api(`/shops/${shopId}/orders`, { query: { limit: 50 }, schema: OrderPage, signal }).then((r) => r.items),
    enabled: shopId !== undefined,
  });
}

export function useOrder(id: string) {
  return useQuery({ queryKey: shopKeys.order(id), queryFn: ({ signal }) => api(`/orders/${id}`, { schema: OrderResult, signal }).then((r) => r.order) });
}

export function useSavedAddress() {
  return useQuery({
    queryKey: shopKeys.address,
    queryFn: ({ signal }) => api('/me/shipping-address', { schema: z.object({ address: ShippingAddress.nullable() }), signal }).then((r) => r.address),
  });
}

export function useSaveAddress() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (address: ShippingAddress) => api('/me/shipping-address', { method: 'PUT', json: address, schema: z.object({ address: ShippingAddress.nullable() }) }),
    onSuccess: (r) => qc.setQueryData(shopKeys.address, r.address),
  });
}

export type OrderSourceRef = { type: 'video' | 'live' | 'message' | 'shop'; id: string };

/**
 * Buy now: the order (units reserved) and its payment, each under an idempotency key made once
 * per checkout, so a retried tap can never order or charge twice.
 */
export function useQuickBuy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: {
      productId: string;
      variantId: string | null;
      quantity: number;
      address: ShippingAddress;
      source: OrderSourceRef | null;
      paymentMethod: string;
      checkoutKey: string;
    }) => {
      const { order } = await api('/orders', {
        method: 'POST',
        headers: { 'idempotency-key': `order-${v.checkoutKey}` },
        json: { items: [{ productId: v.productId, ...(v.variantId && { variantId: v.variantId }), quantity: v.quantity }], shippingAddress: v.address, ...(v.source && { source: v.source }) },
        schema: OrderResult,
      });
      const paid = await api(`/orders/${order.id}/pay`, { method: 'POST', headers: { 'idempotency-key': `pay-${v.checkoutKey}-${v.paymentMethod}` }, json: { paymentMethod: v.paymentMethod }, schema: OrderResult });
      return paid.order;
    },
    onSettled: (_o, _e, v) => {
      void qc.invalidateQueries({ queryKey: shopKeys.myOrders });
      void qc.invalidateQueries({ queryKey: shopKeys.product(v.productId) });
    },
  });
}

export function useOrderMove() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { orderId: string; action: 'cancel' | 'ship' | 'deliver' | 'refund' }) => api(`/orders/${v.orderId}/${v.action}`, { method: 'POST', schema: OrderResult }).then((r) => r.order),
    onSuccess: (order) => {
      qc.setQueryData(shopKeys.order(order.id), order);
      void qc.invalidateQueries({ queryKey: shopKeys.myOrders });
      void qc.invalidateQueries({ queryKey: shopKeys.shopOrders(order.shop.id) });
    },
  });
}

export function useCreateShop() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { handle: string; name: string; description?: string }) => api('/shops', { method: 'POST', json: body, schema: z.object({ shop: Shop }) }).then((r) => r.shop),
    onSuccess: () => void qc.invalidateQueries({ queryKey: shopKeys.myShops }),
  });
}

export function useCreateProduct(shopId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { title: string; description: string; priceMinor: number; currency: string; stock: number; image: File | null }) => {
      const { image, ...body } = v;
      let { product } = await api(`/shops/${shopId}/products`, { method: 'POST', json: body, schema: ProductResult });
      if (image) {
        const form = new FormData();
        form.append('file', image);
        product = (await api(`/products/${product.id}/images`, { method: 'POST', form, schema: ProductResult })).product;
      }
      return product;
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: shopKeys.shopProducts(shopId) }),
  });
}

const ConversationId = z.object({ conversation: z.object({ id: z.string() }) });

/** Opens (or finds) the buyer's chat with a shop (conversation kind `shop`). */
export function useMessageShop() {
  return useMutation({
    mutationFn: (shopId: string) => api(`/shops/${shopId}/conversations`, { method: 'POST', schema: ConversationId }).then((r) => r.conversation.id),
  });
}

/** Opens the order's chat (its buyer and its shop) and puts the order's card in it, once per person. */
export function useMessageAboutOrder() {
  return useMutation({
    mutationFn: async (v: { orderId: string; myId: string }) => {
      const id = (await api(`/orders/${v.orderId}/conversation`, { method: 'POST', schema: ConversationId })).conversation.id;
      await api(`/conversations/${id}/messages`, { method: 'POST', json: { clientMsgId: `order-${v.orderId}-${v.myId}`, share: { type: 'order', id: v.orderId } } });
      return id;
    },
  });
}

// ---- variants (the owner) ----

export type VariantDraft = { options: Record<string, string>; stock: number; priceMinor?: number | null };

/** The product as the owner's change left it, keeping whether the viewer saved it. */
function useKeepProduct(productId: string) {
  const qc = useQueryClient();
  return (product: Product) => qc.setQueryData(shopKeys.product(productId), (old: Product | undefined) => ({ ...product, saved: old?.saved }));
}

export function useAddVariant(productId: string) {
  const qc = useQueryClient();
  const keep = useKeepProduct(productId);
  return useMutation({
    mutationFn: (v: VariantDraft) => api(`/products/${productId}/variants`, { method: 'POST', json: v, schema: ProductResult }).then((r) => r.product),
    onSuccess: (product) => {
      keep(product);
      void qc.invalidateQueries({ queryKey: shopKeys.shopProducts(product.shop.id) });
    },
  });
}

export function useUpdateVariant(productId: string) {
  const keep = useKeepProduct(productId);
  return useMutation({
    mutationFn: (v: { variantId: string; stock?: number; priceMinor?: number | null }) => {
      const { variantId, ...body } = v;
      return api(`/products/${productId}/variants/${variantId}`, { method: 'PATCH', json: body, schema: ProductResult }).then((r) => r.product);
    },
    onSuccess: keep,
  });
}

// ---- shopping with friends ----

/** Saves a product to the viewer's wishlist, or takes it off. */
export function useSaveProduct(productId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (saved: boolean) => api(`/products/${productId}/wishlist`, { method: saved ? 'PUT' : 'DELETE', schema: z.object({ saved: z.boolean() }) }).then((r) => r.saved),
    onSuccess: (saved) => {
      qc.setQueryData(shopKeys.product(productId), (old: Product | undefined) => (old ? { ...old, saved } : old));
      void qc.invalidateQueries({ queryKey: ['wishlist'] });
    },
  });
}

/** Someone's wishlist: theirs or a friend's; anyone else's is a 404 (the caller shows nothing). */
export function useWishlist(userId: string) {
  return useQuery({
    queryKey: shopKeys.wishlist(userId),
    queryFn: ({ signal }) => api(`/users/${userId}/wishlist`, { query: { limit: 50 }, schema: ProductPage, signal }).then((r) => r.items),
    retry: false,
  });
}

/** "Should I get it?": puts the product to a chat as a poll card. */
export function useAskFriends(productId: string) {
  return useMutation({
    mutationFn: (conversationId: string) =>
      api(`/products/${productId}/polls`, { method: 'POST', json: { conversationId }, schema: z.object({ poll: ProductPoll, message: Message }) }).then((r) => r.poll),
  });
}

/** A vote on a poll (null takes it back). The card itself updates from the `message.updated` frame every member gets. */
export function useVotePoll(pollId: string) {
  return useMutation({
    mutationFn: (choice: PollChoice | null) =>
      api(`/polls/${pollId}/vote`, { method: choice ? 'PUT' : 'DELETE', ...(choice && { json: { choice } }), schema: z.object({ poll: ProductPoll }) }).then((r) => r.poll),
  });
}
