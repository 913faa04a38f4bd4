import type { Message } from '@loop/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { RelativeTime } from '../../ui/RelativeTime.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { searchMessages } from './inbox-api.ts';

/** Matches gathered before the list waits for "Search older messages". */
const ENOUGH = 20;
/** Pages read in one go: each searches a window of the chat, so a rare word may need several. */
const PAGES_PER_GO = 8;

type State = { phase: 'idle' } | { phase: 'searching' } | { phase: 'done'; more: string | null } | { phase: 'error'; message: string; more: string | null };

/**
 * Search inside the open chat (the API looks through a window of messages per page, newest
 * first). Results show who wrote what and when, with the words found marked; choosing one
 * shows it in the chat.
 */
export function ChatSearch({ conversationId, nameOf, onPick, onClose }: { conversationId: string; nameOf: (userId: string) => string; onPick: (seq: number) => void; onClose: () => void }) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Message[]>([]);
  const [state, setState] = useState<State>({ phase: 'idle' });
  // Each search has a number; answers for an older one are ignored.
  const run = useRef(0);

  const search = useCallback(async (query: string, cursor: string | undefined, found: Message[]) => {
    const mine = ++run.current;
    setState({ phase: 'searching' });
    let next = cursor;
    let all = found;
    try {
      for (let i = 0; i < PAGES_PER_GO; i++) {
        const page = await searchMessages(conversationId, query, next);
        if (run.current !== mine) return;
        all = [...all, ...page.items];
        setResults(all);
        next = page.nextCursor ?? undefined;
        if (!next || all.length >= ENOUGH) break;
      }
      setState({ phase: 'done', more: next ?? null });
    } catch (e) {
      if (run.current === mine) setState({ phase: 'error', message: describeError(e), more: next ?? null });
    }
  }, [conversationId]);

  useEffect(() => {
    const query = q.trim();
    run.current += 1;
    setResults([]);
    if (!query) return setState({ phase: 'idle' });
    const t = setTimeout(() => void search(query, undefined, []), 250);
    return () => clearTimeout(t);
  }, [q, search]);

  return (
    <div className="chat-search" role="search">
      <div className="chat-search__bar">
        <input type="search" aria-label="Search this chat" placeholder="Search this chat" value={q} onChange={(e) => setQ(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && onClose()} autoFocus maxLength={200} />
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
      </div>
      {state.phase !== 'idle' && (
        <div className="chat-search__panel">
          <ul className="chat-search__results" aria-label="Messages found">
            {results.map((m) => (
              <li key={m.seq}>
                <button type="button" onClick={() => onPick(m.seq)}>
                  <span className="chat-search__meta">
                    <strong>
                      <UserText>{nameOf(m.senderId)}</UserText>
                    </strong> · <RelativeTime iso={m.createdAt} />
                  </span>
                  <Marked text={m.text ?? ''} query={q} />
                </button>
              </li>
            ))}
          </ul>
          <p className="chat-search__state" role="status">
            {state.phase === 'searching' && 'Searching…'}
            {state.phase === 'done' && results.length === 0 && !state.more && (
              <>
                No messages match “<UserText>{q.trim()}</UserText>”
              </>
            )}
            {state.phase === 'error' && state.message}
          </p>
          {(state.phase === 'done' || state.phase === 'error') && state.more && (
            <Button variant="secondary" onClick={() => void search(q.trim(), state.more ?? undefined, results)}>
              {state.phase === 'error' ? 'Try again' : 'Search older messages'}
            </Button>
          )}
        </div>
      )}
    </div>
  );
}

/** The text with the searched words marked, as text nodes (never HTML). */
function Marked({ text, query }: { text: string; query: string }) {
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (words.length === 0) return <span className="chat-search__text user-text">{text}</span>;
  const pattern = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'giu');
  const parts = text.split(pattern);
  return (
    <span className="chat-search__text user-text">
      {parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part))}
    </span>
  );
}
