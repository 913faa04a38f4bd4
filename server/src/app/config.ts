import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { S3Settings } from '../platform/storage/s3-storage.ts';

/**
 * Every setting Loop reads from the environment, validated once at start.
 * Nothing else in the code touches `process.env`.
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_SIZE: int(10, 1),
  /** Chat messages are written by this many batches at once, each for its own share of the conversations (PostgreSQL only). */
  MESSAGE_WRITE_LANES: int(2, 1).pipe(z.number().max(16)),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Prefix for every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[\w:.-]{0,64}$/).default('loop:'),
  PUBLIC_URL: z.url().optional(),
  /** Secret for keyed hashes (contacts) and encryption of stored emails and phones. */
  APP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CORS_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_CONTENT: bool.optional(),
  TRUST_PROXY: bool.default(false),
  SESSION_TTL_DAYS: int(90, 1),
  RATE_LIMIT_API_PER_IP: int(1200, 1),
  RATE_LIMIT_API_PER_USER: int(600, 1),
  RATE_LIMIT_SIGNUP_PER_IP: int(20, 1),
  RATE_LIMIT_LOGIN_PER_IP: int(60, 1),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: int(10, 1),
  WEB_DIST_DIR: z.string().optional(),
  /** New contact identifiers (phones + emails) one user may upload per UTC day. */
  CONTACT_SYNC_DAILY_BUDGET: int(3000, 1),
  /** How often the worker refits the friend-suggestion model on the live graph; 0: only when asked. */
  SUGGESTION_MODEL_REFIT_HOURS: int(6, 0),
  /** How often For You's learned model is refitted from the signal log; 0: only when asked. */
  RECOMMENDER_REFIT_MINUTES: int(15, 0),
  /** Runs the durable job worker (transcoding) in this process; any number of nodes may. */
  WORKER: bool.default(true),
  WORKER_CONCURRENCY: int(1, 1),
  /** How long a claimed job stays owned without a heartbeat before another worker takes it. */
  JOB_LEASE_SEC: int(60, 1),
  JOB_POLL_MS: int(1000, 50),
  VIDEO_MAX_BYTES: int(500 * 1024 * 1024, 1),
  VIDEO_MAX_DURATION_SEC: int(600, 1),
  VIDEO_DAILY_UPLOADS: int(50, 1),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  /** Upper bound for one ffmpeg run; it is killed after this. */
  FFMPEG_TIMEOUT_SEC: int(900, 1),
  FFMPEG_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  /** Public clips with fewer impressions than this get slots in For You (new-upload budget). */
  FEED_FRESH_IMPRESSION_BUDGET: int(200, 0),
  /** S3-compatible media storage; when S3_BUCKET is set it replaces the local disk. */
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  S3_PREFIX: z.string().default(''),
  /** Shop: how long an unpaid order holds its units before they are released. */
  ORDER_RESERVATION_SEC: int(900, 1),
  /** Stories: how long a story lives; after that only its author sees it (their archive). */
  STORY_TTL_SEC: int(86_400, 1),
  /** Shop: the payment provider new payments go to (only the built-in test provider exists; docs/shop.md). */
  PAYMENT_PROVIDER: z.enum(['test']).default('test'),
  /** Shop: the secret that signs payment webhooks (Loop-Signature); derived from APP_SECRET when unset. */
  PAYMENT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** WebSocket gateway: ping interval (a socket that misses one pong is dropped). */
  WS_HEARTBEAT_MS: int(30_000, 100),
  WS_SESSION_RECHECK_MS: int(300_000, 100),
  /** Frames a second one socket may send, and the burst it may save up. */
  WS_FRAMES_PER_SEC: int(50, 1),
  WS_FRAME_BURST: int(100, 1),
  /** Bytes queued to a socket that is not reading before it is disconnected. */
  WS_MAX_BUFFERED_BYTES: int(1024 * 1024, 1024),
  /** Domain events: how often the relay looks for events no commit on this node woke it for (another node's, or left by a crash). */
  EVENT_RELAY_POLL_MS: int(1000, 20),
  /** Web push (VAPID). Without keys, the embedded mode generates a pair and stores it in DATA_DIR; scale-out needs them set. */
  VAPID_PUBLIC_KEY: z.string().regex(/^[A-Za-z0-9_-]{80,100}$/, 'must be a base64url P-256 public key').optional(),
  VAPID_PRIVATE_KEY: z.string().regex(/^[A-Za-z0-9_-]{40,50}$/, 'must be a base64url P-256 private key').optional(),
  /** The contact in every VAPID token (mailto: or https:), so push services can reach the sender. */
  VAPID_SUBJECT: z.string().regex(/^(mailto:|https:\/\/)/, 'must start with mailto: or https://').optional(),
  /** Tests only: also accept push endpoints on http://127.0.0.1 and other private addresses. */
  PUSH_ALLOW_PRIVATE_ENDPOINTS: bool.default(false),
  /** A person whose sockets sent nothing for this long counts as away: notifications also go by push. */
  PUSH_IDLE_SEC: int(60, 0),
  /** Lives: the RTMP ingest port (every publish is checked against a live's stream key); 0 turns RTMP ingest off. */
  RTMP_PORT: int(1935, 0).pipe(z.number().max(65535)),
  /** Lives: chat messages one person may send per window, and the window (ms). */
  LIVE_CHAT_MESSAGES: int(3, 1),
  LIVE_CHAT_WINDOW_MS: int(2000, 100),
  /** Lives: how long chat messages are gathered before they go to the room in one frame. */
  LIVE_CHAT_BATCH_MS: int(100, 10),
  /** Lives: how often the viewer count (and the rest of the live) is sent to a room at most. */
  LIVE_STATE_INTERVAL_MS: int(3000, 200),
  /** Lives: a stream with no new HLS segment for this long has stopped: the live ends. */
  LIVE_STALL_SEC: int(5, 2),
  /** Lives: a live still waiting for its stream this long after it was created is ended by the worker's sweep. */
  LIVE_WAITING_TIMEOUT_SEC: int(1800, 1),
});

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  databasePoolSize: number;
  messageWriteLanes: number;
  redisUrl: string | null;
  redisPrefix: string;
  publicUrl: string;
  publicOrigin: string;
  appSecret: string;
  corsOrigins: readonly string[];
  logLevel: string;
  demoContent: boolean;
  trustProxy: boolean;
  sessionTtlMs: number;
  rateLimits: Readonly<{
    apiPerIp: number;
    apiPerUser: number;
    signupPerIp: number;
    loginPerIp: number;
    loginFailuresPerAccount: number;
  }>;
  webDistDir: string;
  contactSyncDailyBudget: number;
  /** Age after which the worker refits the friend-suggestion model (0: never by itself). */
  suggestionModelRefitMs: number;
  /** Age after which For You's recommender is refitted from the signal log (0: never by itself). */
  recommenderRefitMs: number;
  worker: Readonly<{ enabled: boolean; concurrency: number; leaseMs: number; pollMs: number }>;
  media: Readonly<{
    maxBytes: number;
    maxDurationMs: number;
    dailyUploads: number;
    ffmpegPath: string;
    ffprobePath: string;
    ffmpegTimeoutMs: number;
    preset: string;
    freshImpressionBudget: number;
  }>;
  s3: Readonly<S3Settings> | null;
  shop: Readonly<{ reservationMs: number; paymentProvider: 'test'; webhookSecret: string }>;
  stories: Readonly<{ ttlMs: number }>;
  gateway: Readonly<{ heartbeatMs: number; sessionRecheckMs: number; framesPerSec: number; frameBurst: number; maxBufferedBytes: number }>;
  events: Readonly<{ relayPollMs: number }>;
  push: Readonly<{ vapidPublicKey: string | null; vapidPrivateKey: string | null; vapidSubject: string; allowPrivateEndpoints: boolean; idleMs: number }>;
  live: Readonly<{ rtmpPort: number; chatMessages: number; chatWindowMs: number; chatBatchMs: number; stateIntervalMs: number; stallMs: number; waitingTimeoutMs: number }>;
}>;

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && !e.APP_SECRET) {
    throw new ConfigError('Invalid configuration:\n  APP_SECRET: is required when NODE_ENV=production');
  }
  if (Boolean(e.VAPID_PUBLIC_KEY) !== Boolean(e.VAPID_PRIVATE_KEY)) {
    throw new ConfigError('Invalid configuration:\n  VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both or neither');
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const dataDir = path.resolve(e.DATA_DIR);
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? null,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    messageWriteLanes: e.MESSAGE_WRITE_LANES,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX,
    publicUrl,
    publicOrigin: new URL(publicUrl).origin,
    // A fixed development secret keeps local data readable across restarts; production must set one.
    appSecret: e.APP_SECRET ?? 'loop-development-secret-not-for-production-use',
    corsOrigins: Object.freeze(
      e.CORS_ORIGINS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    logLevel: e.LOG_LEVEL,
    // Demo accounts only ever appear on the embedded database outside production.
    demoContent: !production && !e.DATABASE_URL && (e.DEMO_CONTENT ?? e.NODE_ENV === 'development'),
    trustProxy: e.TRUST_PROXY,
    sessionTtlMs: e.SESSION_TTL_DAYS * 24 * 3600 * 1000,
    rateLimits: Object.freeze({
      apiPerIp: e.RATE_LIMIT_API_PER_IP,
      apiPerUser: e.RATE_LIMIT_API_PER_USER,
      signupPerIp: e.RATE_LIMIT_SIGNUP_PER_IP,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      loginFailuresPerAccount: e.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT,
    }),
    webDistDir: path.resolve(e.WEB_DIST_DIR ?? 'web/dist'),
    contactSyncDailyBudget: e.CONTACT_SYNC_DAILY_BUDGET,
    suggestionModelRefitMs: e.SUGGESTION_MODEL_REFIT_HOURS * 3600_000,
    recommenderRefitMs: e.RECOMMENDER_REFIT_MINUTES * 60_000,
    worker: Object.freeze({ enabled: e.WORKER, concurrency: e.WORKER_CONCURRENCY, leaseMs: e.JOB_LEASE_SEC * 1000, pollMs: e.JOB_POLL_MS }),
    media: Object.freeze({
      maxBytes: e.VIDEO_MAX_BYTES,
      maxDurationMs: e.VIDEO_MAX_DURATION_SEC * 1000,
      dailyUploads: e.VIDEO_DAILY_UPLOADS,
      ffmpegPath: e.FFMPEG_PATH,
      ffprobePath: e.FFPROBE_PATH,
      ffmpegTimeoutMs: e.FFMPEG_TIMEOUT_SEC * 1000,
      preset: e.FFMPEG_PRESET,
      freshImpressionBudget: e.FEED_FRESH_IMPRESSION_BUDGET,
    }),
    s3: e.S3_BUCKET
      ? Object.freeze({
          bucket: e.S3_BUCKET,
          region: e.S3_REGION,
          endpoint: e.S3_ENDPOINT ?? null,
          accessKeyId: e.S3_ACCESS_KEY_ID ?? null,
          secretAccessKey: e.S3_SECRET_ACCESS_KEY ?? null,
          forcePathStyle: e.S3_FORCE_PATH_STYLE,
          prefix: e.S3_PREFIX.replace(/^\/+|\/+$/g, ''),
        })
      : null,
    shop: Object.freeze({
      reservationMs: e.ORDER_RESERVATION_SEC * 1000,
      paymentProvider: e.PAYMENT_PROVIDER,
      webhookSecret: e.PAYMENT_WEBHOOK_SECRET ?? createHash('sha256').update(`payment-webhooks:${e.APP_SECRET ?? 'loop-development-secret-not-for-production-use'}`).digest('hex'),
    }),
    stories: Object.freeze({ ttlMs: e.STORY_TTL_SEC * 1000 }),
    gateway: Object.freeze({
      heartbeatMs: e.WS_HEARTBEAT_MS,
      sessionRecheckMs: e.WS_SESSION_RECHECK_MS,
      framesPerSec: e.WS_FRAMES_PER_SEC,
      frameBurst: e.WS_FRAME_BURST,
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
    }),
    events: Object.freeze({ relayPollMs: e.EVENT_RELAY_POLL_MS }),
    push: Object.freeze({
      vapidPublicKey: e.VAPID_PUBLIC_KEY ?? null,
      vapidPrivateKey: e.VAPID_PRIVATE_KEY ?? null,
      vapidSubject: e.VAPID_SUBJECT ?? `mailto:push@${new URL(publicUrl).hostname}`,
      allowPrivateEndpoints: e.PUSH_ALLOW_PRIVATE_ENDPOINTS,
      idleMs: e.PUSH_IDLE_SEC * 1000,
    }),
    live: Object.freeze({
      rtmpPort: e.RTMP_PORT,
      chatMessages: e.LIVE_CHAT_MESSAGES,
      chatWindowMs: e.LIVE_CHAT_WINDOW_MS,
      chatBatchMs: e.LIVE_CHAT_BATCH_MS,
      stateIntervalMs: e.LIVE_STATE_INTERVAL_MS,
      stallMs: e.LIVE_STALL_SEC * 1000,
      waitingTimeoutMs: e.LIVE_WAITING_TIMEOUT_SEC * 1000,
    }),
  });
}

/** Where the embedded database keeps its files (absent before the first run). */
export const embeddedDbDir = (config: Config) => path.join(config.dataDir, 'db');
