import type { CaptionEntity } from '@loop/contracts';
import type { ReactElement } from 'react';
import { Link } from 'react-router';

/**
 * A caption with its @mentions and #hashtags linked, from the server's entities. Pieces are
 * React text nodes, never HTML: a caption cannot inject markup.
 */
export function Caption({ text, entities }: { text: string; entities: CaptionEntity[] }) {
  const parts: Array<string | ReactElement> = [];
  let at = 0;
  for (const e of [...entities].sort((a, b) => a.start - b.start)) {
    if (e.start < at) continue;
    parts.push(text.slice(at, e.start));
    parts.push(
      <Link key={e.start} to={e.type === 'mention' ? `/u/${e.username}` : `/tag/${encodeURIComponent(e.tag)}`} className="caption__link">
        {text.slice(e.start, e.end)}
      </Link>,
    );
    at = e.end;
  }
  parts.push(text.slice(at));
  return <p className="caption user-text">{parts}</p>;
}
