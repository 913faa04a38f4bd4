import { Link } from 'react-router';
import { formatCount } from '../accounts/format.ts';
import { useUserVideos } from './video-api.ts';
import './video.css';

/** A profile's clips as a 3-column grid of posters (what the viewer may see, newest first). */
export function VideoGrid({ userId }: { userId: string }) {
  const q = useUserVideos(userId);
  const videos = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (q.isPending) return <div className="grid grid--loading" role="status" aria-busy="true" aria-label="Loading videos" />;
  if (!videos.length) return null;
  return (
    <ul className="grid" aria-label="Videos">
      {videos.map((v) => (
        <li key={v.id} className="grid__cell">
          <Link to={`/video/${v.id}`} aria-label={v.caption || 'Video'}>
            {v.posterUrl ? <img src={v.posterUrl} alt="" loading="lazy" /> : <span className="grid__processing">{v.status === 'failed' ? 'Failed' : 'Processing…'}</span>}
            <span className="grid__views">▶ {formatCount(v.counts.views)}</span>
            {v.visibility !== 'public' ? <span className="grid__badge">{v.visibility === 'friends' ? 'Friends' : 'Only me'}</span> : null}
          </Link>
        </li>
      ))}
    </ul>
  );
}
