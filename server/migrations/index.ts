import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_accounts.ts';
import * as m0002 from './0002_graph.ts';
import * as m0003 from './0003_messaging.ts';
import * as m0004 from './0004_media.ts';
import * as m0005 from './0005_graph_contacts.ts';
import * as m0006 from './0006_sharing.ts';
import * as m0007 from './0007_feed_indexes.ts';
import * as m0008 from './0008_messages_search_steady.ts';
import * as m0009 from './0009_messages_write_path.ts';
import * as m0010 from './0010_suggestion_models.ts';
import * as m0011 from './0011_notifications.ts';
import * as m0012 from './0012_signals.ts';
import * as m0013 from './0013_shop.ts';
import * as m0014 from './0014_stories.ts';
import * as m0015 from './0015_live.ts';
import * as m0016 from './0016_watch.ts';
import * as m0017 from './0017_discovery.ts';
import * as m0018 from './0018_shop_variants_polls_wishlists.ts';
import * as m0019 from './0019_variant_option_order.ts';
import * as m0020 from './0020_forget_stored_out_of_stock.ts';

/**
 * Every migration, in the order it runs. Names sort in that order; a migration is never
 * edited after it has landed — add a new one instead.
 */
export const migrations: Record<string, Migration> = {
  '0001_accounts': m0001,
  '0002_graph': m0002,
  '0003_messaging': m0003,
  '0004_media': m0004,
  '0005_graph_contacts': m0005,
  '0006_sharing': m0006,
  '0007_feed_indexes': m0007,
  '0008_messages_search_steady': m0008,
  '0009_messages_write_path': m0009,
  '0010_suggestion_models': m0010,
  '0011_notifications': m0011,
  '0012_signals': m0012,
  '0013_shop': m0013,
  '0014_stories': m0014,
  '0015_live': m0015,
  '0016_watch': m0016,
  '0017_discovery': m0017,
  '0018_shop_variants_polls_wishlists': m0018,
  '0019_variant_option_order': m0019,
  '0020_forget_stored_out_of_stock': m0020,
};
