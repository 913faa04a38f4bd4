import { describeError } from '../../app/api.ts';

/** A failed shop action's reason, announced (nothing while there is none). */
export function ShopError({ error }: { error: unknown }) {
  return error ? (
    <p className="shop-error" role="alert">
      {describeError(error)}
    </p>
  ) : null;
}
