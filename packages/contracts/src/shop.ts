import { z } from 'zod';
import { User } from './accounts.ts';
import { Id } from './common.ts';

/** Shops, products and orders (API.md "Shops, products, orders"; docs/shop.md). */

export const ShopHandle = z
  .string()
  .min(3, 'must be at least 3 characters')
  .max(30, 'must be at most 30 characters')
  .regex(/^[A-Za-z0-9_.]+$/, 'must be letters, digits, _ or .')
  // `/shops/:id` takes an id or a handle: a handle is never all digits.
  .regex(/[A-Za-z_.]/, 'must contain a letter, _ or .');

const Name = z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters');
const Description = z.string().max(2000, 'must be at most 2000 characters');

export const CreateShopBody = z.object({ handle: ShopHandle, name: Name, description: Description.optional() });
export const PatchShopBody = z.object({ name: Name.optional(), description: Description.optional() });

export const Shop = z.object({
  id: z.string(),
  handle: z.string(),
  name: z.string(),
  description: z.string(),
  logoUrl: z.string().nullable(),
  owner: User,
  createdAt: z.string(),
});
export type Shop = z.infer<typeof Shop>;

/** ISO 4217 code; amounts are integer minor units of it (cents for EUR). */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter currency code such as EUR');
/** Up to 10^12 minor units: far past any real price, and well inside a JS number and a bigint. */
export const PriceMinor = z.number().int('must be whole minor units').min(0).max(1_000_000_000_000);
export const Stock = z.number().int().min(0).max(1_000_000_000);

/**
 * What sets one variant apart: 1–3 options such as `{ "Size": "M", "Colour": "Black" }`. Two
 * variants of one product never have the same options.
 */
export const VariantOptions = z
  .record(z.string().trim().min(1, 'must not be empty').max(30, 'must be at most 30 characters'), z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters'))
  .refine((o) => Object.keys(o).length >= 1 && Object.keys(o).length <= 3, 'must name 1 to 3 options');
/** Most variants one product may have. */
export const MAX_VARIANTS = 50;
/** A variant: its options, its own units on hand, and optionally its own price (otherwise the product's). */
export const CreateVariantBody = z.object({ options: VariantOptions, priceMinor: PriceMinor.nullable().optional(), stock: Stock });
export const PatchVariantBody = z.object({ options: VariantOptions.optional(), priceMinor: PriceMinor.nullable().optional(), stock: Stock.optional() });

export const CreateProductBody = z.object({
  title: Name,
  description: Description.optional(),
  priceMinor: PriceMinor,
  currency: Currency,
  /** Units on hand of a product without variants (a product with variants sells only its variants' units). */
  stock: Stock,
  variants: z.array(CreateVariantBody).max(MAX_VARIANTS, `at most ${MAX_VARIANTS} variants`).optional(),
});
export const PatchProductBody = CreateProductBody.omit({ variants: true }).partial();

/** A shop as products and orders show it (its owner's id: "Message shop" opens a chat with them). */
export const ShopRef = z.object({ id: z.string(), handle: z.string(), name: z.string(), logoUrl: z.string().nullable(), ownerId: z.string() });

export const ProductVariant = z.object({
  id: z.string(),
  options: z.record(z.string(), z.string()),
  /** What this variant costs: its own price, or the product's. */
  priceMinor: z.number().int(),
  /** Whether the price is the variant's own (owner's form). */
  ownPrice: z.boolean(),
  available: z.number().int(),
  /** Owner's view only. */
  stock: z.number().int().optional(),
  reserved: z.number().int().optional(),
});
export type ProductVariant = z.infer<typeof ProductVariant>;

/**
 * "M / Black": a variant's option values in the order of its options, which the server keeps as the
 * owner gave them (docs/shop.md "Option order"). Order lines keep the label as bought.
 */
export const variantLabel = (options: Record<string, string>) => Object.values(options).join(' / ');

export const Product = z.object({
  id: z.string(),
  shop: ShopRef,
  title: z.string(),
  description: z.string(),
  priceMinor: z.number().int(),
  currency: z.string(),
  /** Units that can be bought now: on hand minus those reserved by open orders (with variants: theirs, summed). */
  available: z.number().int(),
  imageUrls: z.array(z.string()),
  /** Its variants, oldest first; empty for a product without. An order for a product with variants names one. */
  variants: z.array(ProductVariant),
  /** Whether the signed-in viewer has it on their wishlist (GET /products/:id only). */
  saved: z.boolean().optional(),
  /** Owner's view only: units on hand and reserved. */
  stock: z.number().int().optional(),
  reserved: z.number().int().optional(),
  createdAt: z.string(),
});
export type Product = z.infer<typeof Product>;

/** Most products one clip may carry. */
export const MAX_TAGGED_PRODUCTS = 5;
export const TagProductsBody = z.object({ productIds: z.array(Id).max(MAX_TAGGED_PRODUCTS, `at most ${MAX_TAGGED_PRODUCTS} products`) });

export const OrderSourceType = z.enum(['video', 'live', 'message', 'shop']);
export const OrderSource = z.object({ type: OrderSourceType, id: Id });

const AddressLine = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
export const ShippingAddress = z.object({
  name: AddressLine,
  line1: AddressLine,
  city: AddressLine,
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as FR'),
});
export type ShippingAddress = z.infer<typeof ShippingAddress>;

/** Most lines in one order, and most units of one line. */
export const MAX_ORDER_LINES = 20;
export const MAX_LINE_QUANTITY = 100;

export const CreateOrderBody = z.object({
  items: z
    .array(z.object({ productId: Id, variantId: Id.optional(), quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY) }))
    .min(1, 'must have at least one item')
    .max(MAX_ORDER_LINES),
  source: OrderSource.optional(),
  shippingAddress: ShippingAddress,
});
export type CreateOrderBody = z.infer<typeof CreateOrderBody>;

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
});

export const PayOrderBody = z.object({ paymentMethod: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'must be a payment method token') });

export const OrderStatus = z.enum(['pending_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded']);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const Order = z.object({
  id: z.string(),
  buyer: User,
  shop: ShopRef,
  items: z.array(
    z.object({
      product: z.object({ id: z.string(), title: z.string(), imageUrls: z.array(z.string()) }),
      /** The variant bought, with its label as bought ("M / Black"); null for a product without variants. */
      variant: z.object({ id: z.string(), label: z.string() }).nullable(),
      quantity: z.number().int(),
      priceMinor: z.number().int(),
    }),
  ),
  totalMinor: z.number().int(),
  currency: z.string(),
  status: OrderStatus,
  source: z.object({ type: OrderSourceType, id: z.string() }).nullable(),
  shippingAddress: ShippingAddress,
  /** Why it was cancelled: `buyer`, `shop`, `expired` (unpaid in time), `payment_failed`. */
  cancelReason: z.string().nullable(),
  /** Payment in progress or done: `processing`, `authorized`, `captured`, `failed`, `refund_pending`, `refunded`. */
  paymentStatus: z.string().nullable(),
  /** When an unpaid order's reservation ends. */
  expiresAt: z.string(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
  shippedAt: z.string().nullable(),
});
export type Order = z.infer<typeof Order>;

/** Pushed on `user:<id>` to the buyer and the shop's owner after an order moves: clients refetch it. */
export interface OrderUpdatedFrame {
  type: 'order.updated';
  orderId: string;
  status: OrderStatus;
}

// ---- shopping with friends ----

export const PollChoice = z.enum(['yes', 'no']);
export type PollChoice = z.infer<typeof PollChoice>;
/** "Should I get it?": a product put to a conversation (`POST /products/:id/polls`). */
export const CreatePollBody = z.object({ conversationId: Id });
export const PollVoteBody = z.object({ choice: PollChoice });

/** A poll as a member of its conversation sees it (also the card of its message: `share.type = "poll"`). */
export const ProductPoll = z.object({
  id: z.string(),
  conversationId: z.string(),
  askerId: z.string(),
  question: z.string(),
  product: Product,
  yes: z.number().int(),
  no: z.number().int(),
  /** The viewer's vote, null if none. */
  myVote: PollChoice.nullable(),
  createdAt: z.string(),
});
export type ProductPoll = z.infer<typeof ProductPoll>;
