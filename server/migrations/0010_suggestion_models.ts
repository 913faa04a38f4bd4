import { type Kysely, sql } from 'kysely';

// "People you may know" ranks with a model fitted on the live graph by a worker job
// (docs/graph.md). Every fit is a row, so every node ranks with the same, newest model and a
// past one can be inspected. A stored list remembers which model ranked it, so a new model
// re-ranks lists as they are read; Adamic-Adar is stored beside the other features so a
// signal merged into a stored row (a contact match) is scored by the same model.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE suggestion_models (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      source text NOT NULL CHECK (source IN ('fitted', 'prior')),
      model jsonb NOT NULL,
      report jsonb NOT NULL,
      fitted_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`ALTER TABLE suggestions ADD COLUMN adamic_adar double precision NOT NULL DEFAULT 0`.execute(db);
  await sql`ALTER TABLE suggestion_state ADD COLUMN model_id bigint`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE suggestion_state DROP COLUMN model_id`.execute(db);
  await sql`ALTER TABLE suggestions DROP COLUMN adamic_adar`.execute(db);
  await sql`DROP TABLE suggestion_models`.execute(db);
}
