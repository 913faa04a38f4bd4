import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { formatCount } from '../accounts/format.ts';
import { useVideoList, videoKeys } from './video-api.ts';
import './video.css';

/** Which clips a grid shows: someone's own, or the signed-in person's liked or saved ones. */
export type GridSource = { kind: 'user'; userId: string } | { kind: 'liked' } | { kind: 'saved' };

function listOf(source: GridSource): { key: readonly unknown[]; path: string } {
  if (source.kind === 'user') return { key: videoKeys.userVideos(source.userId), path: `/users/${source.userId}/videos` };
  return { key: videoKeys.mine(source.kind), path: `/me/${source.kind}` };
}

/** Clips as a 3-column grid of posters, newest first, with "Show more"; `empty` when there are none. */
export function VideoGrid({ source, label, empty }: { source: GridSource; label: string; empty: ReactNode }) {
  const { key, path } = listOf(source);
  const q = useVideoList(key, path);
  const videos = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (q.isPending) return <div className="grid grid--loading" role="status" aria-busy="true" aria-label={`Loading ${label.toLowerCase()}`} />;
  if (q.isError && !videos.length) return <ErrorState compact title={`Couldn’t load ${label.toLowerCase()}`} message={describeError(q.error)} onRetry={() => void q.refetch()} retrying={q.isFetching} />;
  if (!videos.length) return <>{empty}</>;
  return (
    <>
      <ul className="grid" aria-label={label}>
        {videos.map((v) => (
          <li key={v.id} className="grid__cell">
            <Link to={`/video/${v.id}`} aria-label={v.caption ? `Video: ${v.caption.slice(0, 100)}` : `Video by @${v.author.username}`}>
              {v.posterUrl ? <img src={v.posterUrl} alt="" loading="lazy" /> : <span className="grid__processing">{v.status === 'failed' ? 'Failed' : 'Processing…'}</span>}
              <span className="grid__views">▶ {formatCount(v.counts.views)}</span>
              {v.visibility !== 'public' ? <span className="grid__badge">{v.visibility === 'friends' ? 'Friends' : 'Only me'}</span> : null}
            </Link>
          </li>
        ))}
      </ul>
      {q.hasNextPage ? (
        <div className="grid__more">
          <Button variant="secondary" loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
            Show more
          </Button>
        </div>
      ) : null}
    </>
  );
}
