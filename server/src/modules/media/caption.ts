/**
 * Finds #hashtags and @mentions in a caption. Offsets are JS string indices (UTF-16), so
 * a client can slice the caption it received and link the pieces without re-parsing.
 * A tag or mention must start the caption or follow a character that is not a word
 * character (so `mail@example.com` and `a#b` are plain text).
 */
export interface RawEntity {
  type: 'hashtag' | 'mention';
  start: number;
  end: number;
  value: string;
}

const ENTITY = /(^|[^\p{L}\p{N}_@#&])([#@])([\p{L}\p{N}_][\p{L}\p{N}_.]*)/gu;
const MAX_ENTITIES = 30;

export function parseCaption(caption: string): RawEntity[] {
  const out: RawEntity[] = [];
  for (const m of caption.matchAll(ENTITY)) {
    if (out.length >= MAX_ENTITIES) break;
    const sigil = m[2]!;
    // A trailing dot ends a sentence, not a name.
    const name = m[3]!.replace(/\.+$/, '');
    const start = m.index! + m[1]!.length;
    if (sigil === '#') {
      if (!/^[\p{L}\p{N}_]{1,100}$/u.test(name) || /^\d+$/.test(name)) continue;
      out.push({ type: 'hashtag', start, end: start + 1 + name.length, value: name.toLowerCase() });
    } else {
      const username = name.toLowerCase();
      if (!/^[a-z0-9_.]{3,24}$/.test(username)) continue;
      out.push({ type: 'mention', start, end: start + 1 + name.length, value: username });
    }
  }
  return out;
}
