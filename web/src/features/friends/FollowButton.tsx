import type { Relationship } from '@loop/contracts';
import { useState } from 'react';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { notePushMoment } from '../activity/push.tsx';
import { useGraphAction } from './friends-api.ts';

/** Follow / Follow back / Requested / Following / Friends, with the server's answer as truth. */
export function FollowButton({ userId, name, relationship }: { userId: string; name: string; relationship?: Relationship }) {
  const action = useGraphAction();
  const toast = useToast();
  const [rel, setRel] = useState<Relationship | undefined>(relationship);
  const current = rel;
  const following = current?.following || current?.requested;
  const label = current?.friends ? 'Friends' : current?.following ? 'Following' : current?.requested ? 'Requested' : current?.followedBy ? 'Follow back' : 'Follow';

  async function toggle() {
    try {
      const res = await action.mutateAsync({ action: following ? 'unfollow' : 'follow', userId });
      setRel(res.relationship);
      // Following someone is a moment when being told they followed back is worth asking about.
      if (!following) notePushMoment();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  return (
    <Button
      variant={following ? 'secondary' : 'primary'}
      loading={action.isPending}
      onClick={toggle}
      aria-label={following ? `${current?.requested ? 'Cancel request to' : 'Unfollow'} ${name}` : `Follow ${name}`}
    >
      {label}
    </Button>
  );
}
