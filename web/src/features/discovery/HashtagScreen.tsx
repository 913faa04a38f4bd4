import { useParams } from 'react-router';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { IconSearch } from '../../ui/icons.tsx';
import { TopBar } from '../../ui/Page.tsx';
import { ClipGrid } from './ClipGrid.tsx';
import { useHashtagVideos } from './discovery-api.ts';
import './discovery.css';

/** /tag/:tag — every clip carrying #tag that the viewer may see, newest first. */
export function HashtagScreen() {
  const tag = (useParams().tag ?? '').replace(/^#/, '').toLowerCase();
  const q = useHashtagVideos(tag);
  const videos = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <TopBar title={`#${tag}`} back backTo="/discover" />
      <div className="page page--flush">
        <p className="hashtag-head">
          <span className="hashtag-head__sign" aria-hidden="true">#</span>
          <span className="user-text hashtag-head__tag">{tag}</span>
        </p>
        {q.isPending ? (
          <div className="grid grid--loading" role="status" aria-busy="true" aria-label="Loading clips" />
        ) : q.isError && !videos.length ? (
          <ErrorState title="Couldn’t load this hashtag" message={describeError(q.error)} onRetry={() => void q.refetch()} retrying={q.isFetching} />
        ) : !videos.length ? (
          <EmptyState icon={<IconSearch size={32} />} title="No clips yet">Be the first: put #{tag} in your next caption.</EmptyState>
        ) : (
          <>
            <ClipGrid videos={videos} label={`Clips with #${tag}`} />
            {q.hasNextPage ? (
              <div className="grid__more">
                <Button variant="secondary" loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>Show more</Button>
              </div>
            ) : null}
          </>
        )}
      </div>
    </>
  );
}
