import type { ReactElement } from "react";
import type { CaptionEntity } from '@loop/contracts';
import { Link } from 'react-router';

/** A caption with its #hashtags and @mentions linked, from the server's entities (never HTML). */
export function Caption({ text, entities }: { text: string; entities: CaptionEntity[] }) {
  const parts: Array<string | ReactElement> = [];
  let at = 0;
  for (const e of [...entities].sort((a, b) => a.start - b.start)) {
    if (e.start < at) continue;
    parts.push(text.slice(at, e.start));
    const shown = text.slice(e.start, e.end);
    parts.push(
      e.type === 'mention' ? (
        <Link key={e.start} to={`/u/${e.username}`} className="caption__link">
          {shown}
        </Link>
      ) : (
        <span key={e.start} className="caption__tag">
          {shown}
        </span>
      ),
    );
    at = e.end;
  }
  parts.push(text.slice(at));
  return <p className="caption">{parts}</p>;
}
