import type { Video } from '@loop/contracts';
import { useState } from 'react';
import { useParams } from 'react-router';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { TopBar } from '../../ui/Page.tsx';
import { ClipCard } from './ClipCard.tsx';
import { CommentsSheet } from './CommentsSheet.tsx';
import { useVideo } from './video-api.ts';
import './video.css';

/** One clip on its own page (from a profile grid or a shared link). */
export function VideoScreen() {
  const { id = '' } = useParams();
  const video = useVideo(id);
  const [muted, setMuted] = useState(true);
  const [comments, setComments] = useState<Video | null>(null);
  return (
    <div className="feed feed--single">
      <TopBar title="" back />
      {video.isError ? (
        <EmptyState icon={<span aria-hidden="true">🎬</span>} title="This video isn’t available">It may have been deleted, or it isn’t shared with you.</EmptyState>
      ) : video.data ? (
        <div className="feed__item">
          <ClipCard video={video.data} active preload={false} muted={muted} onUnmute={() => setMuted(false)} onComments={setComments} />
        </div>
      ) : null}
      {comments ? <CommentsSheet video={video.data ?? comments} onClose={() => setComments(null)} /> : null}
    </div>
  );
}
