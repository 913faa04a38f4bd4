import type { Video } from '@loop/contracts';
import { Link } from 'react-router';
import { formatCount } from '../accounts/format.ts';
import '../video/video.css';

/**
 * Clips as a 3-column grid of posters (search results, a hashtag's page), or as one row that
 * scrolls sideways (`row`: Discover's trending hashtags).
 */
export function ClipGrid({ videos, label, row = false }: { videos: Video[]; label: string; row?: boolean }) {
  return (
    <ul className={row ? 'grid grid--row' : 'grid'} aria-label={label}>
      {videos.map((v) => (
        <li key={v.id} className="grid__cell">
          <Link to={`/video/${v.id}`} aria-label={v.caption ? `Video: ${v.caption.slice(0, 100)}` : `Video by @${v.author.username}`}>
            {v.posterUrl ? <img src={v.posterUrl} alt="" loading="lazy" /> : <span className="grid__processing">Processing…</span>}
            <span className="grid__views">▶ {formatCount(v.counts.views)}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
