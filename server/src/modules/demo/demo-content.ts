import type { AppContext } from '../../app/context.ts';
import { signup, updateProfile } from '../accounts/accounts.service.ts';

/** The demo accounts a newcomer can sign in with (listed in the README). */
export const DEMO_PASSWORD = 'loop-demo-2026';
export const DEMO_ACCOUNTS = [
  { username: 'maya', displayName: 'Maya Chen', bio: 'Climbing, coffee, and clips of both ☕🧗' },
  { username: 'leo', displayName: 'Leo Martins', bio: 'Street food and skate spots in Lisbon' },
  { username: 'sam', displayName: 'Sam Okafor', bio: 'Bedroom producer. Beats, loops, late nights.' },
  { username: 'ines', displayName: 'Inês Duarte', bio: 'Plants, pottery, and very slow cooking' },
] as const;

/**
 * Fills an empty embedded database with demo accounts (never in production, never on a
 * server database). Each module's service functions do the work, so demo data obeys the
 * same rules as real data.
 */
export async function seedDemoContent(ctx: AppContext): Promise<boolean> {
  const anyone = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyone) return false;
  const ids: Record<string, string> = {};
  for (const a of DEMO_ACCOUNTS) {
    const { user } = await signup(ctx, { username: a.username, password: DEMO_PASSWORD, displayName: a.displayName, birthdate: '1998-04-12' }, { ip: 'demo-seed' });
    await updateProfile(ctx, user.id, { bio: a.bio });
    ids[a.username] = user.id;
  }
  for (const seed of demoSeeders) await seed(ctx, ids);
  ctx.log.info({ accounts: DEMO_ACCOUNTS.map((a) => a.username) }, 'demo content created');
  return true;
}

type DemoSeeder = (ctx: AppContext, userIds: Record<string, string>) => Promise<void>;
const demoSeeders: DemoSeeder[] = [];
/** Modules add their demo data (follows, clips, chats) after the accounts exist. */
export function addDemoSeeder(seed: DemoSeeder) {
  demoSeeders.push(seed);
}
