import type { LoopModule } from '../../app/wiring.ts';
import { seedDemoCommunity } from './demo-community.ts';

/**
 * The demo community of the embedded first run: accounts made through accounts' sign-up, then
 * each module's own demo data (`demo` seeders, in module order); this module adds the follows
 * between the demo people last. Owns no tables.
 */
export const demoModule: LoopModule = {
  name: 'demo',
  provides: { demo: { seed: (ctx, ids) => seedDemoCommunity(ctx, ids) } },
  uses: ['accounts', 'graph'],
};

export { DEMO_ACCOUNTS, DEMO_PASSWORD, type DemoPreparation, type DemoSeeder, prepareDemoContent, seedDemoContent } from './demo-content.ts';
