import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { Logger } from 'pino';
import { loadConfig } from '../src/app/config.ts';
import { type AppContext, createContext } from '../src/app/context.ts';
import { buildHttpApp } from '../src/app/http.ts';
import { startAppWorker } from '../src/app/worker.ts';
import type { Worker } from '../src/platform/jobs/queue.ts';

/**
 * The integration tests run against PGlite by default and against a real PostgreSQL when
 * TEST_DATABASE_URL points at a server: each test server then gets a fresh database,
 * dropped again when it closes.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? '';
export const engine = TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** Creates an empty database on the PostgreSQL server at `serverUrl`; `drop()` removes it. */
export async function createFreshDatabase(serverUrl = TEST_DATABASE_URL): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `loop_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  form?: FormData;
}

export interface TestServer {
  url: string;
  ctx: AppContext;
  app: FastifyInstance;
  /** The job worker (null when the test set WORKER=false). */
  worker: Worker | null;
  /** Calls the API; `path` is relative to /api/v1 (e.g. '/me'). */
  api<T = any>(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse<T>>;
  make: Factories;
  close(): Promise<void>;
}

/** Test defaults: rate limits high enough that only the tests about rate limits meet them. */
const TEST_ENV = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'silent',
  APP_SECRET: 'test-secret-test-secret-test-secret-0123',
  RATE_LIMIT_API_PER_IP: '100000',
  RATE_LIMIT_API_PER_USER: '100000',
  RATE_LIMIT_SIGNUP_PER_IP: '100000',
  RATE_LIMIT_LOGIN_PER_IP: '100000',
  // A refit changes how every suggestion ranks: tests that want one enqueue it themselves.
  SUGGESTION_MODEL_REFIT_HOURS: '0',
  // Test servers share the machine: RTMP ingest only where a test asks for it (on a free port).
  RTMP_PORT: '0',
};

export async function startTestServer(opts: { env?: Record<string, string>; postgresUrl?: string; log?: Logger } = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-test-'));
  const serverUrl = opts.postgresUrl ?? TEST_DATABASE_URL;
  const database = serverUrl ? await createFreshDatabase(serverUrl) : null;
  const config = loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, ...(database && { DATABASE_URL: database.url }), ...opts.env });
  const ctx = await createContext(config, { pgliteDataDir: 'memory://', ...(opts.log && { log: opts.log }) });
  const app = await buildHttpApp(ctx);
  const worker = config.worker.enabled ? startAppWorker(ctx) : null;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const api = async <T,>(method: string, p: string, o: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: BodyInit | undefined;
    if (o.form) body = o.form;
    else if (o.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    }
    // Paths are relative to /api/v1 unless they name /api/ themselves.
    const res = await fetch(url + (p.startsWith('/api/') ? p : `/api/v1${p}`), { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T };
  };

  const server: TestServer = {
    url,
    ctx,
    app,
    worker,
    api,
    make: makeFactories(api),
    async close() {
      await app.close();
      await worker?.stop();
      await ctx.close();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

let counter = 0;
/** A unique, valid username for a test. */
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${process.pid % 1000}_${counter}_${randomBytes(2).toString('hex')}`.slice(0, 24);
}

export const TEST_PASSWORD = 'correct-horse-battery';

export interface MadeUser {
  id: string;
  username: string;
  token: string;
  password: string;
  user: { id: string; username: string; displayName: string; bio: string; avatarUrl: string | null };
}

export interface Factories {
  user(fields?: Partial<{ username: string; password: string; displayName: string; birthdate: string; email: string; phone: string }>): Promise<MadeUser>;
}

function makeFactories(api: TestServer['api']): Factories {
  return {
    async user(fields = {}) {
      const username = fields.username ?? uniqueName();
      const password = fields.password ?? TEST_PASSWORD;
      const res = await api('POST', '/auth/signup', { body: { ...fields, username, password } });
      if (res.status !== 201) throw new Error(`factory signup failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.user.id, username, token: res.body.token, password, user: res.body.user };
    },
  };
}
