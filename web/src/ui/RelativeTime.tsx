import { useEffect, useState } from 'react';
import { formatRelative } from './relative-time.ts';

const MINUTE = 60_000;

/** A relative time that stays current, with the exact time on hover / long press. */
export function RelativeTime({ iso }: { iso: string }) {
  const at = new Date(iso);
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), MINUTE);
    return () => clearInterval(t);
  }, []);
  return (
    <time dateTime={iso} title={at.toLocaleString()}>
      {formatRelative(at, now)}
    </time>
  );
}
