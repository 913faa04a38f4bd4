import { type Kysely, sql } from 'kysely';

// `out_of_stock` is no longer stored under an order's Idempotency-Key (docs/shop.md "Idempotency
// keys"): it created nothing and may not hold after a restock, so a retry runs again. Refusals
// stored before that change would otherwise be replayed for the keys' whole lifetime (7 days),
// even after the product is back: they are dropped.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DELETE FROM idempotency_keys
     WHERE scope = 'orders.create' AND status = 'done' AND response_body -> '__error' ->> 'code' = 'out_of_stock'`.execute(db);
}

// Nothing to put back: a dropped refusal is only a retry that runs again.
export async function down(): Promise<void> {}
