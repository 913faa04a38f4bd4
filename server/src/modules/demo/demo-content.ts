import fs from 'node:fs';
import type { Config } from '../../app/config.ts';
import { embeddedDbDir } from '../../app/config.ts';
import type { AppContext } from '../../app/context.ts';
import type { Wiring } from '../../app/wiring.ts';
import { anyAccountExists, signup, updateProfile } from '../accounts/index.ts';

/** The demo accounts a newcomer can sign in with (listed in the README). */
export const DEMO_PASSWORD = 'loop-demo-2026';
export const DEMO_ACCOUNTS = [
  { username: 'maya', displayName: 'Maya Chen', bio: 'Climbing, coffee, and clips of both ☕🧗' },
  { username: 'leo', displayName: 'Leo Martins', bio: 'Street food and skate spots in Lisbon' },
  { username: 'sam', displayName: 'Sam Okafor', bio: 'Bedroom producer. Beats, loops, late nights.' },
  { username: 'ines', displayName: 'Inês Duarte', bio: 'Plants, pottery, and very slow cooking' },
  { username: 'noor', displayName: 'Noor Haddad', bio: 'Night skies and maths that looks like art ✨' },
  { username: 'kai', displayName: 'Kai Tanaka', bio: 'Pixel art, retro screens, tiny simulated worlds' },
  { username: 'zoe', displayName: 'Zoé Laurent', bio: 'Film photographer. Colour is a feeling.' },
  { username: 'ravi', displayName: 'Ravi Menon', bio: 'Runner, cyclist, spreadsheet enthusiast' },
] as const;

/**
 * Fills an empty embedded database with demo accounts (never in production, never on a
 * server database). Each module's service functions do the work, so demo data obeys the
 * same rules as real data.
 */
export async function seedDemoContent(ctx: AppContext, prepared: DemoPreparation = []): Promise<boolean> {
  if (await anyAccountExists(ctx)) return false;
  const ids: Record<string, string> = {};
  // At once: password hashing runs on the thread pool, and the demo clips wait for their authors.
  await Promise.all(
    DEMO_ACCOUNTS.map(async (a) => {
      const { user } = await signup(ctx, { username: a.username, password: DEMO_PASSWORD, displayName: a.displayName, birthdate: '1998-04-12' }, { ip: 'demo-seed' });
      await updateProfile(ctx, user.id, { bio: a.bio });
      ids[a.username] = user.id;
    }),
  );
  for (const [i, seeder] of ctx.modules.demoSeeders.entries()) await seeder.seed(ctx, ids, prepared[i]);
  ctx.log.info({ accounts: DEMO_ACCOUNTS.map((a) => a.username) }, 'demo content created');
  return true;
}

/**
 * A module's demo data (follows, clips, chats), made after the accounts exist (provided as
 * `demo`, run in module order). `prepare`, if given, starts slow work that needs no database
 * (drawing the clips) before the database is even open; `seed` gets what it returned, or
 * undefined when it did not run.
 */
export interface DemoSeeder {
  seed(ctx: AppContext, userIds: Record<string, string>, prepared: unknown): Promise<void>;
  prepare?(config: Config): unknown;
}

/** What the seeders prepared, in their order. */
export type DemoPreparation = unknown[];

/**
 * On a first run (no embedded database yet, so the demo content will be created) starts every
 * seeder's preparation, to overlap with creating the database. Otherwise prepares nothing.
 */
export function prepareDemoContent(config: Config, modules: Pick<Wiring, 'demoSeeders'>): DemoPreparation {
  if (fs.existsSync(embeddedDbDir(config))) return [];
  return modules.demoSeeders.map((s) => s.prepare?.(config));
}
