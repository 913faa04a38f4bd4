import { accountsModule } from '../modules/accounts/index.ts';
import { demoModule } from '../modules/demo/index.ts';
import { discoveryModule } from '../modules/discovery/index.ts';
import { feedModule } from '../modules/feed/index.ts';
import { graphModule } from '../modules/graph/index.ts';
import { liveModule } from '../modules/live/index.ts';
import { mediaModule } from '../modules/media/index.ts';
import { messagingModule } from '../modules/messaging/index.ts';
import { notificationsModule } from '../modules/notifications/index.ts';
import { recommenderModule } from '../modules/recommender/index.ts';
import { sharingModule } from '../modules/sharing/index.ts';
import { shopModule } from '../modules/shop/index.ts';
import { watchModule } from '../modules/watch/index.ts';
import { storiesModule } from '../modules/stories/index.ts';
import type { LoopModule } from './wiring.ts';

/**
 * Every module of the server, explicitly. To add a capability, write its module (index.ts says
 * what it provides and needs) and list it here; app/wiring.ts refuses to start when a need has
 * no provider. Order matters only for demo data (each module's seeder runs in this order).
 */
export const appModules: readonly LoopModule[] = [accountsModule, graphModule, mediaModule, recommenderModule, messagingModule, feedModule, sharingModule, shopModule, storiesModule, liveModule, discoveryModule, watchModule, notificationsModule, demoModule];
