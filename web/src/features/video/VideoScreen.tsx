import type { Video } from '@loop/contracts';
import { useState } from 'react';
import { useParams } from 'react-router';
import { ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { IconVideo } from '../../ui/icons.tsx';
import { TopBar } from '../../ui/Page.tsx';
import { ApiError, describeError } from '../../app/api.ts';
import { useSession } from '../../app/session.ts';
import { TagProductsButton, TagProductsSheet } from '../shop/TagProductsButton.tsx';
import { ClipCard } from './ClipCard.tsx';
import { CommentsSheet } from './CommentsSheet.tsx';
import { useVideo } from './video-api.ts';
import './video.css';

/** One clip on its own page (from a profile grid or a shared link), fitted to the window. */
export function VideoScreen() {
  const { id = '' } = useParams();
  const video = useVideo(id);
  const [muted, setMuted] = useState(true);
  const [comments, setComments] = useState<Video | null>(null);
  const session = useSession();
  const mine = session.status === 'signed-in' && video.data?.author.id === session.me.user.id;
  const [tagging, setTagging] = useState(false);
  return (
    <div className="feed feed--single">
      <TopBar title="" back end={mine ? <TagProductsButton onOpen={() => setTagging(true)} /> : undefined} />
      {video.data ? (
        <div className="feed__item">
          <ClipCard video={video.data} active preload={false} muted={muted} onUnmute={() => setMuted(false)} onComments={setComments} />
        </div>
      ) : video.isError ? (
        <div className="feed__state">
          {video.error instanceof ApiError && video.error.status === 404 ? (
            <EmptyState icon={<IconVideo size={28} />} title="This video isn’t available" action={<ButtonLink to="/" variant="primary">Go home</ButtonLink>}>
              It may have been deleted, or it isn’t shared with you.
            </EmptyState>
          ) : (
            <ErrorState message={describeError(video.error)} onRetry={() => void video.refetch()} retrying={video.isFetching} />
          )}
        </div>
      ) : (
        <div className="feed__state" role="status" aria-busy="true" aria-label="Loading video" />
      )}
      {mine && video.data ? <TagProductsSheet videoId={video.data.id} open={tagging} onClose={() => setTagging(false)} /> : null}
      {comments ? <CommentsSheet video={video.data ?? comments} onClose={() => setComments(null)} /> : null}
    </div>
  );
}
