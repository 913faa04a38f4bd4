import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState, OfflineState } from '../../ui/ErrorState.tsx';
import { IconClose, IconSearch, IconUsersPlus } from '../../ui/icons.tsx';
import { useDocumentTitle } from '../../ui/Page.tsx';
import { useUserSearch } from './accounts-api.ts';
import { UserRow, UserRowSkeletons } from './UserRow.tsx';
import './search.css';

const DEBOUNCE_MS = 250;

/** Waits until the value has stopped changing for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** Search people by username or name, results as you type, "load more" by keyset cursor. */
export function SearchScreen() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
  const input = useRef<HTMLInputElement>(null);
  const q = useDebounced(text.trim().replace(/^@/, ''), DEBOUNCE_MS).slice(0, 64);
  const search = useUserSearch(q);
  useDocumentTitle(q ? `“${q}”` : 'Search');

  // Keep ?q= in the address so back/forward and reload return to the same results.
  useEffect(() => {
    setParams(q ? { q } : {}, { replace: true });
  }, [q, setParams]);

  const users = search.data?.pages.flatMap((p) => p.items) ?? [];
  const typing = text.trim().replace(/^@/, '') !== q;

  return (
    <>
      <div className="search-bar">
        <h1 className="visually-hidden">Search people</h1>
        <div className="search-box">
          <IconSearch size={20} />
          <input
            ref={input}
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Search people"
            aria-label="Search people by username or name"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            enterKeyHint="search"
            maxLength={64}
          />
          {text ? (
            <Button
              variant="ghost"
              icon
              className="search-box__clear"
              aria-label="Clear search"
              onClick={() => {
                setText('');
                input.current?.focus();
              }}
            >
              <IconClose size={18} />
            </Button>
          ) : null}
        </div>
      </div>
      <div className="page page--flush" aria-live="polite" aria-busy={search.isFetching || typing}>
        {!q ? (
          <EmptyState icon={<IconUsersPlus size={32} />} title="Find people on Loop">
            Search by username or name. Results appear as you type.
          </EmptyState>
        ) : search.isError && users.length === 0 ? (
          <ErrorState title="Search didn’t work" message={describeError(search.error)} onRetry={() => void search.refetch()} retrying={search.isFetching} />
        ) : search.isPending && search.fetchStatus === 'paused' ? (
          <OfflineState />
        ) : search.isPending ? (
          <UserRowSkeletons />
        ) : users.length === 0 ? (
          <EmptyState icon={<IconSearch size={32} />} title="No one found">
            No one matches “{q}”. Check the spelling or try fewer letters.
          </EmptyState>
        ) : (
          <>
            <ul className="user-list" aria-label="People">
              {users.map((u) => (
                <UserRow key={u.id} user={u} highlight={q} />
              ))}
            </ul>
            {search.hasNextPage ? (
              <div className="search-more">
                <Button variant="secondary" onClick={() => void search.fetchNextPage()} loading={search.isFetchingNextPage}>
                  Load more
                </Button>
              </div>
            ) : null}
            {search.isFetchNextPageError ? <p className="search-status">Couldn’t load more. {describeError(search.error)}</p> : null}
          </>
        )}
      </div>
    </>
  );
}
