import { sql } from 'kysely';
import type { TestServer } from './harness.ts';

/** Every row of every table in the database, lower-cased, as the text a query could read back (to prove something is not stored readably). */
export async function dumpDatabase(s: TestServer): Promise<string> {
  const tables = await sql<{ schema: string; name: string }>`
    SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`.execute(s.ctx.db);
  const parts: string[] = [];
  for (const t of tables.rows) {
    const rows = await sql<{ j: string }>`SELECT row_to_json(t)::text AS j FROM ${sql.table(`${t.schema}.${t.name}`)} t`.execute(s.ctx.db);
    parts.push(...rows.rows.map((r) => r.j));
  }
  return parts.join('\n').toLowerCase();
}
