import type { AppContext } from '../../app/context.ts';
import { announceChange, type ChangeListener, onChange } from '../../platform/pubsub/invalidation.ts';

const TOPIC = 'user-rules';

/**
 * Someone's messaging settings changed, or the follows or blocks between them and others did.
 * Caches of who may reach whom (messaging's send checks) forget these people, on every node.
 * Call it after the change is committed.
 */
export function userRulesChanged(ctx: AppContext, userIds: readonly string[]): void {
  announceChange(ctx, TOPIC, userIds);
}

/** `fn` hears the people whose rules changed, or null when it may have missed some (forget everything). See `onChange`. */
export function onUserRulesChanged(ctx: AppContext, fn: ChangeListener): Promise<void> {
  return onChange(ctx, TOPIC, fn);
}
