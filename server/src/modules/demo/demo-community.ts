import type { AppContext } from '../../app/context.ts';
import { follow } from '../graph/index.ts';

/**
 * Who follows whom among the demo people, beyond the friendships the chats need (maya, leo and
 * ines are friends; messaging-demo.ts). Mutual follows make friends. Sam and Maya stay
 * strangers, so his message still waits in her Requests folder.
 */
const FRIENDS: Array<[string, string]> = [
  ['noor', 'maya'],
  ['noor', 'zoe'],
  ['kai', 'sam'],
  ['kai', 'ravi'],
  ['zoe', 'ines'],
  ['ravi', 'leo'],
  ['sam', 'leo'],
];
const FOLLOWS: Array<[string, string]> = [
  ['kai', 'maya'],
  ['zoe', 'maya'],
  ['ravi', 'maya'],
  ['sam', 'maya'],
  ['noor', 'kai'],
  ['ines', 'noor'],
  ['leo', 'zoe'],
  ['zoe', 'sam'],
  ['ravi', 'noor'],
  ['kai', 'leo'],
  ['ines', 'ravi'],
];

export async function seedDemoCommunity(ctx: AppContext, ids: Record<string, string>) {
  const edges = [...FRIENDS.flatMap(([a, b]) => [[a, b] as const, [b, a] as const]), ...FOLLOWS];
  for (const [a, b] of edges) if (ids[a] && ids[b]) await follow(ctx, ids[a], ids[b]);
}
