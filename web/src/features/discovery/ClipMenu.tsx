import type { Video } from '@loop/contracts';
import { useState } from 'react';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { Sheet } from '../../ui/Sheet.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { useNotInterested, useWhy } from './discovery-api.ts';
import './discovery.css';

/** A clip's "More" menu: why For You showed it (GET /videos/:id/why), and "Not interested" (the clip and its author leave the feed at once). */
export function ClipMenu({ video, open, onClose }: { video: Video; open: boolean; onClose: () => void }) {
  const [showWhy, setShowWhy] = useState(false);
  const why = useWhy(video.id, open && showWhy);
  const notInterested = useNotInterested();
  const toast = useToast();
  const close = () => {
    setShowWhy(false);
    onClose();
  };
  return (
    <Sheet open={open} onClose={close} title={showWhy ? 'Why this video' : 'More'}>
      {showWhy ? (
        why.isPending ? (
          <p role="status">Loading…</p>
        ) : why.isError ? (
          <p className="clip-menu__error">Couldn’t say why. {describeError(why.error)}</p>
        ) : (
          <ul className="clip-menu__reasons" aria-label="Reasons">
            {why.data.map((r) => (
              <li key={r} className="user-text">{r}</li>
            ))}
          </ul>
        )
      ) : (
        <div className="clip-menu">
          <Button variant="secondary" block onClick={() => setShowWhy(true)}>
            Why this video
          </Button>
          <Button
            variant="secondary"
            block
            loading={notInterested.isPending}
            onClick={() =>
              notInterested.mutate(video, {
                onSuccess: () => toast('Got it: you’ll see fewer clips like this.'),
                onError: () => toast('Couldn’t send that. Try again.', 'error'),
                onSettled: close,
              })
            }
          >
            Not interested
          </Button>
        </div>
      )}
    </Sheet>
  );
}
