import type { CaptionEntity } from '@loop/contracts';
import type { ReactElement } from 'react';
import { Link } from 'react-router';

/**
 * A caption with its @mentions linked, from the server's entities (never HTML). Hashtags stay
 * plain text until there is a hashtag page to lead to (a link that does nothing is worse).
 */
export function Caption({ text, entities }: { text: string; entities: CaptionEntity[] }) {
  const parts: Array<string | ReactElement> = [];
  let at = 0;
  for (const e of [...entities].sort((a, b) => a.start - b.start)) {
    if (e.type !== 'mention' || e.start < at) continue;
    parts.push(text.slice(at, e.start));
    parts.push(
      <Link key={e.start} to={`/u/${e.username}`} className="caption__link">
        {text.slice(e.start, e.end)}
      </Link>,
    );
    at = e.end;
  }
  parts.push(text.slice(at));
  return <p className="caption user-text">{parts}</p>;
}
