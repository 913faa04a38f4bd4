import { MAX_TAGGED_PRODUCTS, Product } from '@loop/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { Sheet } from '../../ui/Sheet.tsx';
import { formatPrice } from './price.ts';
import { shopKeys, useMyShops, useShopProducts, useVideoProducts } from './shop-api.ts';
import { ShopError } from './ShopError.tsx';

/**
 * The author's "Products" button on their own clip (shown when they have a shop): a sheet to pick
 * up to five of their products for the clip's product bar.
 */
export function TagProductsButton({ onOpen }: { onOpen: () => void }) {
  const shops = useMyShops();
  if (!shops.data?.length) return null;
  return (
    <Button variant="ghost" onClick={onOpen} aria-label="Tag products on this clip">
      🛍 Products
    </Button>
  );
}

/** The sheet itself, rendered beside the clip (not inside the top bar). */
export function TagProductsSheet({ videoId, open, onClose }: { videoId: string; open: boolean; onClose: () => void }) {
  const shop = useMyShops().data?.[0];
  return (
    <Sheet open={open && shop !== undefined} onClose={onClose} title="Products in this clip">
      {open && shop ? <TagProducts videoId={videoId} shopId={shop.id} onDone={onClose} /> : null}
    </Sheet>
  );
}

function TagProducts({ videoId, shopId, onDone }: { videoId: string; shopId: string; onDone: () => void }) {
  const qc = useQueryClient();
  const products = useShopProducts(shopId);
  const tagged = useVideoProducts(videoId, true);
  const [picked, setPicked] = useState<string[] | null>(null);
  const chosen = picked ?? tagged.data?.map((p) => p.id) ?? [];
  const save = useMutation({
    mutationFn: (productIds: string[]) => api(`/videos/${videoId}/products`, { method: 'PUT', json: { productIds }, schema: z.object({ products: z.array(Product) }) }),
    onSuccess: (r) => {
      qc.setQueryData(shopKeys.videoProducts(videoId), r.products);
      onDone();
    },
  });
  if (!products.data || !tagged.data) return <p className="shop-note">Loading your products…</p>;
  if (products.data.length === 0) return <p className="shop-note">Your shop has no products yet: add one on your shop’s page.</p>;
  const toggle = (id: string) => setPicked(chosen.includes(id) ? chosen.filter((x) => x !== id) : [...chosen, id]);
  return (
    <form
      className="shop-form"
      aria-label="Products in this clip"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(chosen);
      }}
    >
      <p className="shop-note">Pick up to {MAX_TAGGED_PRODUCTS}. They show on the clip as a product bar.</p>
      {products.data.map((p) => (
        <label key={p.id} className="checkout__method">
          <input type="checkbox" checked={chosen.includes(p.id)} disabled={!chosen.includes(p.id) && chosen.length >= MAX_TAGGED_PRODUCTS} onChange={() => toggle(p.id)} />
          <span className="user-text">
            {p.title} <span className="shop-note">({formatPrice(p.priceMinor, p.currency)})</span>
          </span>
        </label>
      ))}
      <ShopError error={save.error} />
      <Button type="submit" variant="primary" block loading={save.isPending}>
        Save
      </Button>
    </form>
  );
}
