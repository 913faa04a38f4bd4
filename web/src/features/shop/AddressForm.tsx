import type { ShippingAddress } from '@loop/contracts';
import { useState } from 'react';
import { Button } from '../../ui/Button.tsx';
import { TextField } from '../../ui/TextField.tsx';

/** The shipping address, saved once for two-tap checkout from then on. */
export function AddressForm({ initial, saving, error, onSave }: { initial: ShippingAddress | null; saving: boolean; error: string | null; onSave: (a: ShippingAddress) => void }) {
  const [a, setA] = useState<ShippingAddress>(initial ?? { name: '', line1: '', city: '', postalCode: '', country: '' });
  const set = (k: keyof ShippingAddress) => (e: { target: { value: string } }) => setA((prev) => ({ ...prev, [k]: e.target.value }));
  return (
    <form
      className="address-form"
      aria-label="Shipping address"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ ...a, country: a.country.trim().toUpperCase() });
      }}
    >
      <TextField label="Full name" autoComplete="name" required maxLength={200} value={a.name} onChange={set('name')} />
      <TextField label="Address" autoComplete="address-line1" required maxLength={200} value={a.line1} onChange={set('line1')} />
      <div className="address-form__pair">
        <TextField label="Postal code" autoComplete="postal-code" required maxLength={20} value={a.postalCode} onChange={set('postalCode')} />
        <TextField label="City" autoComplete="address-level2" required maxLength={200} value={a.city} onChange={set('city')} />
      </div>
      <TextField label="Country code" hint="Two letters, such as FR or US" autoComplete="country" required minLength={2} maxLength={2} value={a.country} onChange={set('country')} />
      {error ? (
        <p className="shop-error" role="alert">
          {error}
        </p>
      ) : null}
      <Button type="submit" variant="primary" block loading={saving}>
        Save address
      </Button>
    </form>
  );
}
