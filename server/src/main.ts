import { buildHttpApp } from './app/http.ts';
import { ConfigError, loadConfig } from './app/config.ts';
import { createContext } from './app/context.ts';
import { appModules } from './app/modules.ts';
import { startAppWorker } from './app/worker.ts';
import { assembleModules, ModuleWiringError, type Wiring } from './app/wiring.ts';
import { prepareDemoContent, seedDemoContent } from './modules/demo/index.ts';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  let modules: Wiring;
  try {
    config = loadConfig();
    modules = assembleModules(appModules);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ModuleWiringError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  // On a first run the demo clips start drawing while the embedded database is being created.
  const demo = config.demoContent ? prepareDemoContent(config, modules) : null;
  const ctx = await createContext(config, { modules });
  // The worker starts before the demo seed so the demo clips are transcoded as they arrive.
  const worker = config.worker.enabled ? startAppWorker(ctx) : null;
  if (demo) await seedDemoContent(ctx, demo);
  const app = await buildHttpApp(ctx);
  await app.listen({ port: config.port, host: config.host });
  ctx.log.info({ url: config.publicUrl, database: ctx.dbEngine, redis: Boolean(config.redisUrl) }, 'Loop is running');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'shutting down: no new connections, draining requests');
    // A stuck request must not keep the process alive forever.
    setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await app.close();
      await worker?.stop();
      await ctx.close();
      process.exit(0);
    } catch (err) {
      ctx.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
