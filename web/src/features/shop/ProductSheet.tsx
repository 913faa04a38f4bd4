import { type Product, type ProductVariant, type ShippingAddress, variantLabel } from '@loop/contracts';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { describeError } from '../../app/api.ts';
import { useSession } from '../../app/session.ts';
import { Button } from '../../ui/Button.tsx';
import { IconHeart } from '../../ui/icons.tsx';
import { Sheet } from '../../ui/Sheet.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { AddressForm } from './AddressForm.tsx';
import { formatPrice } from './price.ts';
import { AskFriends } from './AskFriends.tsx';
import { type OrderSourceRef, useMessageShop, useProduct, useQuickBuy, useSavedAddress, useSaveAddress, useSaveProduct } from './shop-api.ts';
import { VariantEditor } from './VariantEditor.tsx';
import './shop.css';
import { ShopError } from './ShopError.tsx';

export interface ProductSheetProps {
  productId: string | null;
  /** Where the buyer found it (the clip, the chat): the order remembers it. */
  source: OrderSourceRef | null;
  onClose: () => void;
}

/**
 * The product over the clip (or chat): picture, price, a big Buy button and "Message shop".
 * Buy → Pay is the whole checkout when an address is saved (two taps); the sheet never leaves
 * the stream.
 */
export function ProductSheet({ productId, source, onClose }: ProductSheetProps) {
  const product = useProduct(productId);
  return (
    <Sheet open={productId !== null} onClose={onClose} title={product.data?.title ?? 'Product'}>
      {product.data ? (
        <ProductDetails product={product.data} source={source} />
      ) : product.isError ? (
        <p className="shop-note">This product isn’t available any more.</p>
      ) : (
        <Skeleton height={240} />
      )}
    </Sheet>
  );
}

export function ProductDetails({ product, source }: { product: Product; source: OrderSourceRef | null }) {
  const [step, setStep] = useState<'look' | 'checkout' | 'ask'>('look');
  const session = useSession();
  const signedIn = session.status === 'signed-in';
  const isOwner = signedIn && product.shop.ownerId === session.me.user.id;
  const navigate = useNavigate();
  const message = useMessageShop();
  const hasVariants = product.variants.length > 0;
  // The first variant with units left is picked for the buyer; sold-out ones cannot be.
  const [variantId, setVariantId] = useState<string | null>(() => product.variants.find((v) => v.available > 0)?.id ?? null);
  const variant = product.variants.find((v) => v.id === variantId) ?? null;
  const available = hasVariants ? (variant?.available ?? 0) : product.available;
  const priceMinor = variant?.priceMinor ?? product.priceMinor;
  const soldOut = available <= 0;
  return (
    <div className="product" data-testid="product-sheet">
      {product.imageUrls[0] ? <img className="product__image" src={product.imageUrls[0]} alt="" /> : <div className="product__image product__image--none" aria-hidden="true">🛍</div>}
      <div className="product__head">
        <p className="product__price">{formatPrice(priceMinor, product.currency)}</p>
        <p className="product__stock">{soldOut ? 'Sold out' : available <= 5 ? `Only ${available} left` : 'In stock'}</p>
      </div>
      <Link className="product__shop" to={`/shop/${product.shop.handle}`}>
        <UserText>{product.shop.name}</UserText>
      </Link>
      {product.description ? <p className="product__description user-text">{product.description}</p> : null}
      {hasVariants ? <VariantPicker variants={product.variants} value={variantId} onChange={setVariantId} currency={product.currency} /> : null}
      {step === 'look' ? (
        <div className="product__actions">
          <Button variant="primary" size="lg" block disabled={soldOut || !signedIn || isOwner} onClick={() => setStep('checkout')}>
            {soldOut ? 'Sold out' : 'Buy now'}
          </Button>
          {signedIn ? (
            <>
              <div className="product__row">
                <SaveButton product={product} />
                <Button onClick={() => setStep('ask')}>Ask friends</Button>
              </div>
              {isOwner ? null : (
                <Button block loading={message.isPending} onClick={() => message.mutate(product.shop.id, { onSuccess: (id) => navigate(`/inbox/${id}`) })}>
                  Message shop
                </Button>
              )}
            </>
          ) : (
            <p className="shop-note">Log in to buy or to message the shop.</p>
          )}
          {message.isError ? <p className="shop-error">{describeError(message.error)}</p> : null}
        </div>
      ) : step === 'ask' ? (
        <AskFriends productId={product.id} onCancel={() => setStep('look')} />
      ) : (
        <Checkout product={product} variant={variant} source={source} />
      )}
      {isOwner ? <VariantEditor product={product} /> : null}
    </div>
  );
}

/** One chip per variant ("M / Black"); a sold-out variant is shown but cannot be picked. */
function VariantPicker({ variants, value, onChange, currency }: { variants: ProductVariant[]; value: string | null; onChange: (id: string) => void; currency: string }) {
  const prices = new Set(variants.map((v) => v.priceMinor));
  return (
    <fieldset className="variant-picker" data-testid="variant-picker">
      <legend className="checkout__label">{Object.keys(variants[0]!.options).join(' · ')}</legend>
      {variants.map((v) => (
        <label key={v.id} className="variant-chip">
          <input type="radio" name="variant" value={v.id} checked={value === v.id} disabled={v.available <= 0} onChange={() => onChange(v.id)} />
          <span className="user-text">
            {variantLabel(v.options)}
            {prices.size > 1 ? ` · ${formatPrice(v.priceMinor, currency)}` : ''}
            {v.available <= 0 ? ' (sold out)' : ''}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/** The heart: saves the product to the viewer's wishlist, which their friends can see. */
function SaveButton({ product }: { product: Product }) {
  const save = useSaveProduct(product.id);
  const saved = save.isPending ? save.variables : (product.saved ?? false);
  return (
    <Button aria-pressed={saved} loading={save.isPending} onClick={() => save.mutate(!saved)}>
      <IconHeart size={18} filled={saved} /> {saved ? 'Saved' : 'Save'}
    </Button>
  );
}

const METHODS = [
  { id: 'test_ok', label: 'Test card', hint: 'approves' },
  { id: 'test_decline', label: 'Test card', hint: 'declines' },
  { id: 'test_async', label: 'Bank transfer (test)', hint: 'confirms later' },
] as const;

function Checkout({ product, variant, source }: { product: Product; variant: ProductVariant | null; source: OrderSourceRef | null }) {
  const saved = useSavedAddress();
  const save = useSaveAddress();
  const buy = useQuickBuy();
  const [editing, setEditing] = useState(false);
  const [method, setMethod] = useState<string>('test_ok');
  // One key per checkout: a retried tap replays, never orders twice.
  const [checkoutKey] = useState(() => crypto.randomUUID());

  if (buy.data) {
    const o = buy.data;
    return (
      <div className="checkout checkout--done" role="status">
        <p className="checkout__done-title">{o.status === 'paid' ? 'Order placed' : 'Order placed — waiting for the payment'}</p>
        <p className="shop-note">
          {formatPrice(o.totalMinor, o.currency)} · ships to <UserText>{o.shippingAddress.name}</UserText>
        </p>
        <Link className="checkout__link" to={`/orders/${o.id}`}>
          See your order
        </Link>
      </div>
    );
  }
  if (saved.isPending) return <Skeleton height={120} />;
  const address = saved.data ?? null;
  if (!address || editing) {
    return (
      <AddressForm
        initial={address}
        saving={save.isPending}
        error={save.isError ? describeError(save.error) : null}
        onSave={(a: ShippingAddress) => save.mutate(a, { onSuccess: () => setEditing(false) })}
      />
    );
  }
  return (
    <div className="checkout">
      <div className="checkout__row">
        <span className="checkout__label">Ship to</span>
        <span className="checkout__value">
          <UserText>{address.name}</UserText>, <UserText>{address.line1}</UserText>, <UserText>{address.postalCode}</UserText> <UserText>{address.city}</UserText>
        </span>
        <Button variant="ghost" onClick={() => setEditing(true)}>
          Change
        </Button>
      </div>
      <fieldset className="checkout__methods">
        <legend className="checkout__label">Pay with</legend>
        {METHODS.map((m) => (
          <label key={m.id} className="checkout__method">
            <input type="radio" name="payment-method" value={m.id} checked={method === m.id} onChange={() => setMethod(m.id)} />
            <span>
              {m.label} <span className="shop-note">({m.hint})</span>
            </span>
          </label>
        ))}
      </fieldset>
      <Button
        variant="primary"
        size="lg"
        block
        loading={buy.isPending}
        disabled={product.variants.length > 0 && !variant}
        onClick={() => buy.mutate({ productId: product.id, variantId: variant?.id ?? null, quantity: 1, address, source, paymentMethod: method, checkoutKey: `${checkoutKey}-${variant?.id ?? 'one'}` })}
      >
        Pay {formatPrice(variant?.priceMinor ?? product.priceMinor, product.currency)}
      </Button>
      <ShopError error={buy.error} />
    </div>
  );
}
