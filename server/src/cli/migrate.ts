import { loadConfig } from '../app/config.ts';
import { createContext } from '../app/context.ts';

// createContext applies every pending migration; this command does only that, then exits.
const ctx = await createContext(loadConfig());
console.log(`database (${ctx.dbEngine}) is up to date`);
await ctx.close();
