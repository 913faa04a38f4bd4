import type { Profile } from '@loop/contracts';
import { type ReactNode, useState } from 'react';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { Sheet } from '../../ui/Sheet.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { FollowButton } from './FollowButton.tsx';
import { useGraphAction } from './friends-api.ts';
// Its styles live with the Friends screen's; a profile opened first must not wait for that chunk.
import './friends.css';

/** Follow / unfollow on someone's profile, other actions beside it (`children`), and block or mute from a "More" sheet. */
export function ProfileGraphActions({ profile, children }: { profile: Profile; children?: ReactNode }) {
  const { user, relationship } = profile;
  const [open, setOpen] = useState(false);
  const [muted, setMuted] = useState(false);
  const action = useGraphAction();
  const toast = useToast();

  async function run(kind: 'block' | 'unblock' | 'mute' | 'unmute', done: string) {
    try {
      await action.mutateAsync({ action: kind, userId: user.id });
      if (kind === 'mute' || kind === 'unmute') setMuted(kind === 'mute');
      setOpen(false);
      toast(done, 'success');
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  return (
    <div className="profile-graph-actions">
      {relationship.blocked ? (
        <Button variant="secondary" onClick={() => run('unblock', `You unblocked @${user.username}`)} loading={action.isPending}>
          Unblock
        </Button>
      ) : (
        <FollowButton key={JSON.stringify(relationship)} userId={user.id} name={user.displayName} relationship={relationship} />
      )}
      {relationship.blocked ? null : children}
      <Button variant="secondary" onClick={() => setOpen(true)}>
        More
      </Button>
      <Sheet open={open} onClose={() => setOpen(false)} title={<UserText>@{user.username}</UserText>}>
        <div className="sheet-actions">
          <Button block onClick={() => run(muted ? 'unmute' : 'mute', muted ? 'Unmuted' : `Muted @${user.username}. They won’t know.`)}>
            {muted ? 'Unmute' : 'Mute'}
          </Button>
          {relationship.blocked ? null : (
            <Button block variant="danger" onClick={() => run('block', `You blocked @${user.username}`)}>
              Block
            </Button>
          )}
          <p className="friends-card__text">Blocking removes follows both ways; neither of you will see the other on Loop.</p>
        </div>
      </Sheet>
    </div>
  );
}
