import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { type DbHandle, openDb } from '../platform/db/client.ts';
import { migrateToLatest } from '../platform/db/migrator.ts';
import { setCursorSecret } from '../platform/db/pagination.ts';
import { createSecretBox, type SecretBox } from '../platform/crypto/secret-box.ts';
import { createLocalPresence, createRedisPresence, type Presence } from '../platform/presence/presence.ts';
import { createLocalPubSub, createRedisPubSub, type PubSub } from '../platform/pubsub/pubsub.ts';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from '../platform/rate-limit/rate-limiter.ts';
import { createPaymentProviders, type PaymentProvidersWithTest } from '../platform/payments/providers.ts';
import { createS3Storage } from '../platform/storage/s3-storage.ts';
import { createLocalStorage, type Storage } from '../platform/storage/storage.ts';
import { appModules } from './modules.ts';
import { assembleModules, type Wiring } from './wiring.ts';
import { type Config, embeddedDbDir } from './config.ts';

/** Everything a request handler or job needs, built once per process and passed down explicitly. */
export interface AppContext {
  config: Config;
  log: Logger;
  db: DbHandle['db'];
  dbEngine: DbHandle['engine'];
  rateLimiter: RateLimiter;
  storage: Storage;
  pubsub: PubSub;
  /** Who is using the app now (the gateway reports sockets; push asks before sending). */
  presence: Presence;
  secrets: SecretBox;
  /** The modules joined (app/modules.ts): their routes, jobs and what they provide to each other. */
  modules: Wiring;
  /** Payment providers (the shop's checkout; docs/shop.md). */
  payments: PaymentProvidersWithTest;
  /** Closes connections in reverse order of opening. */
  close(): Promise<void>;
}

export interface ContextOptions {
  log?: Logger;
  /** Overrides where PGlite keeps its files (tests pass 'memory://'). */
  pgliteDataDir?: string;
  /** The modules, already joined (main.ts joins them first to fail before opening anything); default app/modules.ts. */
  modules?: Wiring;
}

export { embeddedDbDir };

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  // A module whose need nobody provides stops the start here, before anything is opened.
  const modules = opts.modules ?? assembleModules(appModules);
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
  let presence: Presence;
  if (config.redisUrl) {
    const redisOpts = { maxRetriesPerRequest: 2, enableOfflineQueue: true };
    const commands = new Redis(config.redisUrl, redisOpts);
    const subscriber = new Redis(config.redisUrl, redisOpts);
    for (const r of [commands, subscriber]) r.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
    rateLimiter = createRedisRateLimiter(commands, config.redisPrefix);
    pubsub = createRedisPubSub(commands, subscriber, config.redisPrefix, (err) => log.warn({ err }, 'pubsub error'));
    presence = createRedisPresence(commands, config.redisPrefix, randomUUID(), { idleMs: config.push.idleMs, onError: (err) => log.warn({ err }, 'presence error') });
    closers.push(async () => {
      commands.disconnect();
      subscriber.disconnect();
    });
  } else {
    rateLimiter = createMemoryRateLimiter();
    pubsub = createLocalPubSub({ freezePayloads: config.env !== 'production' });
    presence = createLocalPresence({ idleMs: config.push.idleMs });
  }
  closers.push(() => rateLimiter.close(), () => pubsub.close(), () => presence.close());

  return {
    config,
    log,
    db: handle.db,
    dbEngine: handle.engine,
    rateLimiter,
    storage: config.s3 ? createS3Storage(config.s3) : createLocalStorage(path.join(config.dataDir, 'media')),
    pubsub,
    presence,
    secrets: createSecretBox(config.appSecret),
    modules,
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
