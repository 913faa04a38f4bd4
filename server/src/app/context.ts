import path from 'node:path';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { type DbHandle, openDb } from '../platform/db/client.ts';
import { migrateToLatest } from '../platform/db/migrator.ts';
import { setCursorSecret } from '../platform/db/pagination.ts';
import { createSecretBox, type SecretBox } from '../platform/crypto/secret-box.ts';
import { createLocalPubSub, createRedisPubSub, type PubSub } from '../platform/pubsub/pubsub.ts';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from '../platform/rate-limit/rate-limiter.ts';
import { createPaymentProviders, type PaymentProvidersWithTest } from '../platform/payments/providers.ts';
import { createS3Storage } from '../platform/storage/s3-storage.ts';
import { createLocalStorage, type Storage } from '../platform/storage/storage.ts';
import type { Config } from './config.ts';

/** Everything a request handler or job needs, built once per process and passed down explicitly. */
export interface AppContext {
  config: Config;
  log: Logger;
  db: DbHandle['db'];
  dbEngine: DbHandle['engine'];
  rateLimiter: RateLimiter;
  storage: Storage;
  pubsub: PubSub;
  secrets: SecretBox;
  /** Payment providers (the shop's checkout; docs/shop.md). */
  payments: PaymentProvidersWithTest;
  /** Closes connections in reverse order of opening. */
  close(): Promise<void>;
}

export interface ContextOptions {
  log?: Logger;
  /** Overrides where PGlite keeps its files (tests pass 'memory://'). */
  pgliteDataDir?: string;
}

/** Where the embedded database keeps its files (absent before the first run). */
export const embeddedDbDir = (config: Config) => path.join(config.dataDir, 'db');

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const log = opts.log ?? pino({ level: config.logLevel });
  setCursorSecret(config.appSecret);
  const handle = await openDb({
    databaseUrl: config.databaseUrl,
    pgliteDataDir: opts.pgliteDataDir ?? embeddedDbDir(config),
    poolSize: config.databasePoolSize,
    log,
  });
  const applied = await migrateToLatest(handle.db);
  if (applied.length) log.info({ applied }, 'migrations applied');

  const closers: Array<() => Promise<unknown>> = [() => handle.close()];
  let rateLimiter: RateLimiter;
  let pubsub: PubSub;
  if (config.redisUrl) {
    const redisOpts = { maxRetriesPerRequest: 2, enableOfflineQueue: true };
    const commands = new Redis(config.redisUrl, redisOpts);
    const subscriber = new Redis(config.redisUrl, redisOpts);
    for (const r of [commands, subscriber]) r.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
    rateLimiter = createRedisRateLimiter(commands, config.redisPrefix);
    pubsub = createRedisPubSub(commands, subscriber, config.redisPrefix, (err) => log.warn({ err }, 'pubsub error'));
    closers.push(async () => {
      commands.disconnect();
      subscriber.disconnect();
    });
  } else {
    rateLimiter = createMemoryRateLimiter();
    pubsub = createLocalPubSub({ freezePayloads: config.env !== 'production' });
  }
  closers.push(() => rateLimiter.close(), () => pubsub.close());

  return {
    config,
    log,
    db: handle.db,
    dbEngine: handle.engine,
    rateLimiter,
    storage: config.s3 ? createS3Storage(config.s3) : createLocalStorage(path.join(config.dataDir, 'media')),
    pubsub,
    secrets: createSecretBox(config.appSecret),
    payments: createPaymentProviders({ provider: config.shop.paymentProvider, webhookSecret: config.shop.webhookSecret }),
    async close() {
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (err) {
          log.warn({ err }, 'error while closing');
        }
      }
    },
  };
}
