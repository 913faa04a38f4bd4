import type { Story } from '@loop/contracts';
import { useState } from 'react';
import { describeError } from '../../app/api.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button } from '../../ui/Button.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { RelativeTime } from '../../ui/RelativeTime.tsx';
import { Sheet } from '../../ui/Sheet.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { UserRowSkeletons } from '../accounts/UserRow.tsx';
import { useDeleteStory, useStoryViewers } from './stories-api.ts';
import './stories.css';

/** The author's sheet over their story: who saw it (newest first) with their reactions, and delete. */
export function StoryViewersSheet({ story, onClose, onDeleted }: { story: Story | null; onClose: () => void; onDeleted: () => void }) {
  const viewers = useStoryViewers(story?.id ?? null);
  const remove = useDeleteStory();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const items = viewers.data?.items ?? [];
  return (
    <Sheet open={story !== null} onClose={onClose} title="Viewers">
      <div className="story-viewers" data-testid="story-viewers">
        {viewers.isPending ? (
          <UserRowSkeletons count={3} />
        ) : viewers.isError ? (
          <ErrorState compact message={describeError(viewers.error)} onRetry={() => void viewers.refetch()} />
        ) : items.length === 0 ? (
          <p className="story-viewers__empty">No one has seen this story yet.</p>
        ) : (
          <ul className="story-viewers__list">
            {items.map((v) => (
              <li key={v.user.id} className="story-viewers__row">
                <Avatar username={v.user.username} name={v.user.displayName} src={v.user.avatarUrl} size={40} decorative />
                <span className="story-viewers__who">
                  <UserText className="story-viewers__name">{v.user.displayName || v.user.username}</UserText>
                  <span className="story-viewers__meta">
                    @{v.user.username} · <RelativeTime iso={v.viewedAt} />
                  </span>
                </span>
                {v.reaction ? (
                  <span className="story-viewers__reaction" role="img" aria-label={`Reacted ${v.reaction}`}>
                    {v.reaction}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        <Button
          variant={confirming ? 'danger' : 'secondary'}
          block
          loading={remove.isPending}
          onClick={() => {
            if (!story) return;
            if (!confirming) return setConfirming(true);
            remove.mutate(story.id, {
              onSuccess: () => {
                toast('Story deleted');
                onDeleted();
              },
              onError: (e) => toast(describeError(e), 'error'),
            });
          }}
        >
          {confirming ? 'Tap again to delete' : 'Delete story'}
        </Button>
      </div>
    </Sheet>
  );
}
