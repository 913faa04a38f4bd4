import { useState } from 'react';
import { ProductSheet } from './ProductSheet.tsx';
import { ProductTile } from './ProductTile.tsx';
import { useWishlist } from './shop-api.ts';
import './shop.css';

/**
 * A person's wishlist on their profile: shown to them and to their friends (the server answers
 * 404 to anyone else, and then this shows nothing). Empty lists show nothing on others' profiles.
 */
export function WishlistSection({ userId, isSelf }: { userId: string; isSelf: boolean }) {
  const list = useWishlist(userId);
  const [open, setOpen] = useState<string | null>(null);
  const items = list.data ?? [];
  if (!list.isSuccess || (!isSelf && items.length === 0)) return null;
  return (
    <section className="wishlist" aria-label="Wishlist" data-testid="wishlist">
      <h3 className="wishlist__title">{isSelf ? 'Your wishlist' : 'Wishlist'}</h3>
      {items.length === 0 ? (
        <p className="shop-note">Tap Save on a product to keep it here. Your friends can see it.</p>
      ) : (
        <ul className="product-grid" aria-label="Wishlist products">
          {items.map((p) => (
            <li key={p.id}>
              <ProductTile product={p} onOpen={() => setOpen(p.id)} />
            </li>
          ))}
        </ul>
      )}
      <ProductSheet productId={open} source={null} onClose={() => setOpen(null)} />
    </section>
  );
}
