import {
  Conversation,
  CreateOrderBody,
  CreateProductBody,
  CreatePollBody,
  CreateShopBody,
  CreateVariantBody,
  Id,
  IdempotencyHeaders,
  Order,
  PageQuery,
  PatchProductBody,
  Message,
  PatchShopBody,
  PatchVariantBody,
  PayOrderBody,
  PollVoteBody,
  Product,
  ProductPoll,
  Shop,
  ShippingAddress,
  ShopHandle,
  TagProductsBody,
  Video,
  page,
} from '@loop/contracts';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../app/errors.ts';
import { readMultipart } from '../../app/multipart.ts';
import { addProductImage, IMAGE_MAX_BYTES, readShopImage, setShopLogo } from './product-images.ts';
import { handleWebhook, payOrder } from './checkout.service.ts';
import * as friends from './friends-shopping.service.ts';
import { openOrderConversation, openShopConversation } from './shop-conversations.ts';
import * as orders from './orders.service.ts';
import * as shops from './shops.service.ts';

const tags = ['shop'];
const IdParams = z.object({ id: Id });
const ShopRefParams = z.object({ id: z.union([Id, ShopHandle]) });
const ShopResult = z.object({ shop: Shop });
const ProductResult = z.object({ product: Product });
const OrderResult = z.object({ order: Order });
/** Raw webhook bodies are read as text (the signature covers the exact bytes); 64 KiB is plenty for one event. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

/** Shops, products, clips' products, orders and payments (API.md "Shops, products, orders"; docs/shop.md). */
export function shopRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    // ---- shops ----
    app.post('/shops', { schema: { tags, body: CreateShopBody, response: { 201: ShopResult } } }, async (req, reply) =>
      reply.code(201).send(await shops.createShop(ctx, requireUser(req), req.body)),
    );
    app.get('/shops/:id', { schema: { tags, params: ShopRefParams, response: { 200: ShopResult } } }, async (req) => shops.getShop(ctx, req.params.id));
    app.patch('/shops/:id', { schema: { tags, params: IdParams, body: PatchShopBody, response: { 200: ShopResult } } }, async (req) =>
      shops.updateShop(ctx, requireUser(req), req.params.id, req.body),
    );
    app.get('/me/shops', { schema: { tags, response: { 200: page(Shop) } } }, async (req) => shops.myShops(ctx, requireUser(req)));

    // ---- products ----
    app.post('/shops/:id/products', { schema: { tags, params: IdParams, body: CreateProductBody, response: { 201: ProductResult } } }, async (req, reply) =>
      reply.code(201).send(await shops.createProduct(ctx, requireUser(req), req.params.id, req.body)),
    );
    app.get('/shops/:id/products', { schema: { tags, params: IdParams, querystring: PageQuery, response: { 200: page(Product) } } }, async (req) =>
      shops.listShopProducts(ctx, req.auth?.userId ?? null, req.params.id, req.query),
    );
    app.get('/products/:id', { schema: { tags, params: IdParams, response: { 200: ProductResult } } }, async (req) =>
      shops.getProduct(ctx, req.auth?.userId ?? null, req.params.id),
    );
    app.patch('/products/:id', { schema: { tags, params: IdParams, body: PatchProductBody, response: { 200: ProductResult } } }, async (req) =>
      shops.updateProduct(ctx, requireUser(req), req.params.id, req.body),
    );

    // ---- variants (the owner) ----
    const VariantParams = z.object({ id: Id, variantId: Id });
    app.post('/products/:id/variants', { schema: { tags, params: IdParams, body: CreateVariantBody, response: { 201: ProductResult } } }, async (req, reply) =>
      reply.code(201).send(await shops.addVariant(ctx, requireUser(req), req.params.id, req.body)),
    );
    app.patch('/products/:id/variants/:variantId', { schema: { tags, params: VariantParams, body: PatchVariantBody, response: { 200: ProductResult } } }, async (req) =>
      shops.updateVariant(ctx, requireUser(req), req.params.id, req.params.variantId, req.body),
    );

    // ---- shopping with friends: "should I get it?" polls, wishlists ----
    const PollResult = z.object({ poll: ProductPoll });
    app.post(
      '/products/:id/polls',
      { schema: { tags, params: IdParams, body: CreatePollBody, response: { 201: z.object({ poll: ProductPoll, message: Message }) } } },
      async (req, reply) => reply.code(201).send(await friends.askFriends(ctx, requireUser(req), req.params.id, req.body.conversationId)),
    );
    app.get('/polls/:id', { schema: { tags, params: IdParams, response: { 200: PollResult } } }, async (req) => friends.getPoll(ctx, requireUser(req), req.params.id));
    app.put('/polls/:id/vote', { schema: { tags, params: IdParams, body: PollVoteBody, response: { 200: PollResult } } }, async (req) =>
      friends.votePoll(ctx, requireUser(req), req.params.id, req.body.choice),
    );
    app.delete('/polls/:id/vote', { schema: { tags, params: IdParams, response: { 200: PollResult } } }, async (req) => friends.votePoll(ctx, requireUser(req), req.params.id, null));
    const SavedResult = z.object({ saved: z.boolean() });
    app.put('/products/:id/wishlist', { schema: { tags, params: IdParams, response: { 200: SavedResult } } }, async (req) =>
      friends.saveToWishlist(ctx, requireUser(req), req.params.id, true),
    );
    app.delete('/products/:id/wishlist', { schema: { tags, params: IdParams, response: { 200: SavedResult } } }, async (req) =>
      friends.saveToWishlist(ctx, requireUser(req), req.params.id, false),
    );
    app.get('/users/:id/wishlist', { schema: { tags, params: IdParams, querystring: PageQuery, response: { 200: page(Product) } } }, async (req) =>
      friends.listWishlist(ctx, requireUser(req), req.params.id, req.query),
    );

    // ---- pictures ----
    const readImage = async (req: FastifyRequest) => {
      if (!req.isMultipart()) throw new AppError('invalid_input', 400, 'file: send the image as multipart/form-data', { field: 'file' });
      let bytes = null as Buffer | null;
      await readMultipart(req, { fileSize: IMAGE_MAX_BYTES }, async (part) => {
        if (part.fieldname === 'file') bytes = await part.toBuffer();
        else part.file.resume();
      });
      if (!bytes) throw new AppError('invalid_input', 400, 'file: is required', { field: 'file' });
      return bytes as Buffer;
    };
    app.post(
      '/products/:id/images',
      { schema: { tags, params: IdParams, consumes: ['multipart/form-data'], description: 'multipart field `file`: an image ≤ 8 MB', response: { 201: ProductResult } } },
      async (req, reply) => {
        const userId = requireUser(req);
        return reply.code(201).send(await addProductImage(ctx, userId, req.params.id, await readImage(req)));
      },
    );
    app.put(
      '/shops/:id/logo',
      { schema: { tags, params: IdParams, consumes: ['multipart/form-data'], description: 'multipart field `file`: an image ≤ 8 MB', response: { 200: ShopResult } } },
      async (req) => {
        const userId = requireUser(req);
        return setShopLogo(ctx, userId, req.params.id, await readImage(req));
      },
    );
    app.get<{ Params: { kind: string; id: string; file: string } }>('/media/:kind/:id/:file', { schema: { hide: true } }, async (req, reply) => {
      const { kind, id, file } = req.params;
      const object = kind === 'products' || kind === 'shops' ? await readShopImage(ctx, kind, id, file) : null;
      if (!object) throw new AppError('media_not_found', 404, 'No such file');
      return reply.type('image/webp').header('content-length', object.size).header('cache-control', 'public, max-age=31536000, immutable').send(object.body);
    });

    // ---- products in clips ----
    app.put('/videos/:id/products', { schema: { tags, params: IdParams, body: TagProductsBody, response: { 200: z.object({ video: Video, products: z.array(Product) }) } } }, async (req) =>
      shops.tagVideoProducts(ctx, requireUser(req), req.params.id, req.body.productIds),
    );
    app.get('/videos/:id/products', { schema: { tags, params: IdParams, response: { 200: page(Product) } } }, async (req) =>
      shops.listVideoProducts(ctx, req.auth?.userId ?? null, req.params.id),
    );

    // ---- the buyer's saved address ----
    const AddressResult = z.object({ address: ShippingAddress.nullable() });
    app.get('/me/shipping-address', { schema: { tags, response: { 200: AddressResult } } }, async (req) => ({
      address: await shops.savedAddress(ctx, requireUser(req)),
    }));
    app.put('/me/shipping-address', { schema: { tags, body: ShippingAddress, response: { 200: AddressResult } } }, async (req) => {
      return { address: await shops.saveAddress(ctx, requireUser(req), req.body) };
    });

    // ---- orders ----
    app.post('/orders', { schema: { tags, headers: IdempotencyHeaders, body: CreateOrderBody, response: { 201: OrderResult } } }, async (req, reply) => {
      const answer = await orders.createOrder(ctx, requireUser(req), req.headers['idempotency-key'], req.body);
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(answer.status as 201).send(answer.body as never);
    });
    app.get('/orders/:id', { schema: { tags, params: IdParams, response: { 200: OrderResult } } }, async (req) => orders.getOrder(ctx, requireUser(req), req.params.id));
    app.post('/orders/:id/pay', { schema: { tags, params: IdParams, headers: IdempotencyHeaders, body: PayOrderBody, response: { 200: OrderResult } } }, async (req, reply) => {
      const answer = await payOrder(ctx, requireUser(req), req.params.id, req.headers['idempotency-key'], req.body.paymentMethod);
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(answer.status as 200).send(answer.body as never);
    });
    for (const action of ['cancel', 'ship', 'deliver', 'refund'] as const) {
      app.post(`/orders/:id/${action}`, { schema: { tags, params: IdParams, response: { 200: OrderResult } } }, async (req) =>
        orders.moveOrderAs(ctx, requireUser(req), req.params.id, action),
      );
    }
    app.get('/me/orders', { schema: { tags, querystring: PageQuery, response: { 200: page(Order) } } }, async (req) => orders.listMyOrders(ctx, requireUser(req), req.query));
    app.get('/shops/:id/orders', { schema: { tags, params: IdParams, querystring: PageQuery, response: { 200: page(Order) } } }, async (req) =>
      orders.listShopOrders(ctx, requireUser(req), req.params.id, req.query),
    );

    // ---- chats with shops ----
    const ConversationResult = z.object({ conversation: Conversation });
    app.post('/shops/:id/conversations', { schema: { tags, params: IdParams, response: { 200: ConversationResult, 201: ConversationResult } } }, async (req, reply) => {
      const { conversation, created } = await openShopConversation(ctx, requireUser(req), req.params.id);
      return reply.code(created ? 201 : 200).send({ conversation });
    });
    app.post('/orders/:id/conversation', { schema: { tags, params: IdParams, response: { 200: ConversationResult, 201: ConversationResult } } }, async (req, reply) => {
      const { conversation, created } = await openOrderConversation(ctx, requireUser(req), req.params.id);
      return reply.code(created ? 201 : 200).send({ conversation });
    });

    // ---- payment webhooks: the exact bytes, for the signature ----
    await app.register(async (hooks) => {
      hooks.removeAllContentTypeParsers();
      hooks.addContentTypeParser('*', { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
      hooks.withTypeProvider<ZodTypeProvider>().post(
        '/payments/webhooks/:provider',
        {
          schema: {
            tags,
            params: z.object({ provider: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be a provider name') }),
            body: z.string().max(WEBHOOK_BODY_LIMIT),
            response: { 200: z.object({ received: z.boolean(), duplicate: z.boolean() }) },
          },
        },
        async (req) => handleWebhook(ctx, req.params.provider, req.body, req.headers),
      );
    });
  };
}
