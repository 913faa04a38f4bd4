import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState, OfflineState } from '../../ui/ErrorState.tsx';
import { IconSearch, IconUsersPlus } from '../../ui/icons.tsx';
import { useDocumentTitle } from '../../ui/Page.tsx';
import { SearchBox } from '../../ui/SearchBox.tsx';
import { useDebounced } from '../../ui/use-debounced.ts';
import { useUserSearch } from './accounts-api.ts';
import { UserRow, UserRowSkeletons } from './UserRow.tsx';
import './search.css';

const DEBOUNCE_MS = 250;

/** Search people by username or name, results as you type, "load more" by keyset cursor. */
export function SearchScreen() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
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
        <SearchBox value={text} onChange={setText} placeholder="Search people" label="Search people by username or name" maxLength={64} />
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
