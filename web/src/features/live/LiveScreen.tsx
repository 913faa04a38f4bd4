import { useState } from 'react';
import { useParams } from 'react-router';
import { ApiError } from '../../app/api.ts';
import { useSession } from '../../app/session.ts';
import { ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { IconVideo } from '../../ui/icons.tsx';
import { useLive } from './live-api.ts';
import { LivePlayer } from './LivePlayer.tsx';
import { LiveRoom } from './LiveRoom.tsx';
import './live.css';

/** `/live/:id`: watching a live (the host who streams from OBS sees their controls here too). */
export function LiveScreen() {
  const { id = '' } = useParams();
  const live = useLive(id);
  const session = useSession();
  // Only until the picture first plays: later stalls freeze the frame (as other apps do) rather than cover it.
  const [played, setPlayed] = useState(false);

  if (live.isPending) {
    return (
      <div className="live live--state" role="status" aria-busy="true">
        <div className="spinner-on-video" aria-hidden="true" />
        <span className="visually-hidden">Loading the live…</span>
      </div>
    );
  }
  if (live.isError) {
    const missing = live.error instanceof ApiError && live.error.status === 404;
    return (
      <div className="live live--state">
        {missing ? (
          <EmptyState
            icon={<IconVideo size={28} />}
            title="This live isn’t available"
            action={
              <ButtonLink to="/" variant="primary">
                Back to Home
              </ButtonLink>
            }
          >
            It may have ended, or it’s only for the host’s friends or followers.
          </EmptyState>
        ) : (
          <ErrorState message="The live didn’t load." onRetry={() => void live.refetch()} />
        )}
      </div>
    );
  }
  const l = live.data;
  const notice = l.status === 'waiting' ? `Waiting for ${l.host.displayName} to start…` : !played ? 'Connecting to the live…' : null;
  return (
    <LiveRoom
      live={l}
      me={session.me?.user ?? null}
      notice={notice}
      video={l.hlsUrl && l.status === 'live' ? <LivePlayer src={l.hlsUrl} label={`${l.host.displayName}'s live video`} onPlaying={(p) => p && setPlayed(true)} /> : null}
    />
  );
}
