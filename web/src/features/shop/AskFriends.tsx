import { useNavigate } from 'react-router';
import { Button } from '../../ui/Button.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { useConversations } from '../inbox/inbox-api.ts';
import { useAskFriends } from './shop-api.ts';
import { ShopError } from './ShopError.tsx';

/**
 * "Should I get it?": pick one of your group chats; the product goes there as a poll card the
 * group votes on, and the chat opens.
 */
export function AskFriends({ productId, onCancel }: { productId: string; onCancel: () => void }) {
  const chats = useConversations('inbox');
  const ask = useAskFriends(productId);
  const navigate = useNavigate();
  const groups = (chats.data?.items ?? []).filter((c) => c.kind === 'group' && c.state === 'active');
  return (
    <div className="product__actions" data-testid="ask-friends">
      <p className="checkout__label">Ask a group: should I get it?</p>
      {chats.isPending ? (
        <Skeleton height={96} />
      ) : groups.length === 0 ? (
        <p className="shop-note">Start a group chat with friends first, then ask them here.</p>
      ) : (
        <ul className="ask-list" aria-label="Your group chats">
          {groups.map((c) => (
            <li key={c.id}>
              <Button block loading={ask.isPending && ask.variables === c.id} onClick={() => ask.mutate(c.id, { onSuccess: () => navigate(`/inbox/${c.id}`) })}>
                <UserText>{c.title ?? c.members.map((m) => m.displayName).join(', ')}</UserText>
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ShopError error={ask.error} />
      <Button variant="ghost" onClick={onCancel}>
        Back
      </Button>
    </div>
  );
}
