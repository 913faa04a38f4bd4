import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type DbEngine = 'pglite' | 'postgres';

export interface DbHandle {
  db: Db;
  engine: DbEngine;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;
// Ids and counts are int8: keep them as decimal strings on both engines (JS numbers lose
// precision past 2^53). Dates stay 'YYYY-MM-DD' instead of becoming local-midnight Dates.
pg.types.setTypeParser(INT8, (v) => v);
pg.types.setTypeParser(DATE, (v) => v);

export interface OpenDbOptions {
  databaseUrl: string | null;
  /** A directory for PGlite's files, or 'memory://' for a throwaway database. */
  pgliteDataDir: string;
  poolSize: number;
  log: Logger;
}

/** Opens PostgreSQL when a URL is given, otherwise the embedded PGlite under the data dir. */
export async function openDb(opts: OpenDbOptions): Promise<DbHandle> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server (PostgreSQL restarted) emits here; without a
    // listener Node would crash the process. The pool drops the client and reconnects later.
    pool.on('error', (err) => opts.log.warn({ err }, 'postgres pool client error'));
    pool.on('connect', prepareMarkedStatements);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: 'postgres', close: () => db.destroy() };
  }
  if (opts.pgliteDataDir !== 'memory://') fs.mkdirSync(path.dirname(opts.pgliteDataDir), { recursive: true });
  const pglite = await PGlite.create({
    dataDir: opts.pgliteDataDir,
    extensions: { citext, pg_trgm },
    parsers: { [INT8]: (v: string) => v, [DATE]: (v: string) => v },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return { db, engine: 'pglite', close: () => db.destroy() };
}

/**
 * SQL that starts with `/* prepared:<name> *\/` runs as a named prepared statement on each
 * PostgreSQL connection: parsed and planned once per connection instead of on every call. For
 * the hottest statements (a chat message batch), parsing and planning cost as much as running.
 * PGlite runs such SQL like any other.
 */
export const preparedAs = (name: string) => `/* prepared:${name} */`;
const PREPARED = /^\/\* prepared:([\w-]+) \*\//;

function prepareMarkedStatements(client: pg.PoolClient) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, values?: unknown, ...rest: unknown[]) => {
    const name = typeof text === 'string' ? PREPARED.exec(text)?.[1] : undefined;
    return name ? query({ name, text, values }, ...rest) : query(text, values, ...rest);
  }) as typeof client.query;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/** True when an error means "the database cannot be reached right now" (answer 503, not 500). */
export function isDbUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; message?: string };
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  const m = e.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection/i.test(m);
}
