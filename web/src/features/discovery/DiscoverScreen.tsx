import type { Hashtag, Product, User, Video } from '@loop/contracts';
import { type ReactNode, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState, OfflineState } from '../../ui/ErrorState.tsx';
import { IconChevron, IconSearch } from '../../ui/icons.tsx';
import { useDocumentTitle } from '../../ui/Page.tsx';
import { SearchBox } from '../../ui/SearchBox.tsx';
import { useDebounced } from '../../ui/use-debounced.ts';
import { formatCount } from '../accounts/format.ts';
import { UserRow, UserRowSkeletons } from '../accounts/UserRow.tsx';
import { formatPrice } from '../shop/price.ts';
import { ClipGrid } from './ClipGrid.tsx';
import { forgetSearches, readRecentSearches, rememberSearch, type SearchTab, useHashtagVideos, useSearch, useTrendingHashtags } from './discovery-api.ts';
import '../accounts/search.css';
import './discovery.css';

const DEBOUNCE_MS = 250;
/** Trending hashtags shown with a row of their clips below the chips (each one more request). */
const TAG_ROWS = 3;
const CLIPS_PER_ROW = 10;
const TABS: Array<[SearchTab, string]> = [
  ['videos', 'Clips'],
  ['users', 'People'],
  ['hashtags', 'Hashtags'],
  ['products', 'Products'],
];

/** Discover: search clips, people, hashtags and products (tabs), recent searches and trending hashtags before typing. */
export function DiscoverScreen() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
  const [tab, setTab] = useState<SearchTab>((TABS.find(([t]) => t === params.get('type'))?.[0] ?? 'videos') as SearchTab);
  const [recent, setRecent] = useState(readRecentSearches);
  const q = useDebounced(text.trim(), DEBOUNCE_MS).slice(0, 100);
  useDocumentTitle(q ? `“${q}”` : 'Discover');

  useEffect(() => {
    setParams(q ? { q, type: tab } : {}, { replace: true });
  }, [q, tab, setParams]);
  // A search that stayed on screen for a moment is worth remembering.
  useEffect(() => {
    if (!q) return;
    const t = setTimeout(() => setRecent(rememberSearch(q)), 1500);
    return () => clearTimeout(t);
  }, [q]);

  return (
    <>
      <div className="search-bar discover-bar">
        <h1 className="visually-hidden">Discover</h1>
        <SearchBox
          value={text}
          onChange={setText}
          onKeyDown={(e) => e.key === 'Enter' && text.trim() && setRecent(rememberSearch(text.trim()))}
          placeholder="Search clips, people, #tags"
          label="Search clips, people, hashtags and products"
          maxLength={100}
        />
        {q ? (
          <div className="discover-tabs" role="tablist" aria-label="Results">
            {TABS.map(([t, label]) => (
              <button key={t} type="button" role="tab" aria-selected={t === tab} className={t === tab ? 'discover-tab discover-tab--on' : 'discover-tab'} onClick={() => setTab(t)}>
                {label}
              </button>
            ))}
          </div>
        ) : null}
      </div>
      <div className="page page--flush">
        {q ? <Results key={tab} tab={tab} q={q} /> : <Start recent={recent} onPick={setText} onForget={() => setRecent(forgetSearches())} />}
      </div>
    </>
  );
}

function Start({ recent, onPick, onForget }: { recent: string[]; onPick: (q: string) => void; onForget: () => void }) {
  const trending = useTrendingHashtags();
  return (
    <div className="discover-start">
      {recent.length ? (
        <section aria-labelledby="recent-title">
          <div className="discover-start__head">
            <h2 className="group-title" id="recent-title">Recent searches</h2>
            <Button variant="ghost" onClick={onForget}>Clear</Button>
          </div>
          <ul className="discover-chips" aria-label="Recent searches">
            {recent.map((r) => (
              <li key={r}>
                <button type="button" className="discover-chip" onClick={() => onPick(r)}>{r}</button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="trending-title">
        <h2 className="group-title" id="trending-title">Trending hashtags</h2>
        {trending.isPending ? (
          <p className="search-status" role="status">Loading…</p>
        ) : trending.isError ? (
          <ErrorState compact title="Couldn’t load trending hashtags" message={describeError(trending.error)} onRetry={() => void trending.refetch()} />
        ) : trending.data.length === 0 ? (
          <p className="search-status">No hashtags this week yet. Add one to your next caption.</p>
        ) : (
          <ul className="discover-chips" aria-label="Trending hashtags">
            {trending.data.map((h) => (
              <li key={h.tag}>
                <Link className="discover-chip" to={`/tag/${encodeURIComponent(h.tag)}`}>#{h.tag} <span className="discover-chip__count">{formatCount(h.videos)}</span></Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      {trending.data?.slice(0, TAG_ROWS).map((h) => <TagRow key={h.tag} hashtag={h} />)}
    </div>
  );
}

/**
 * A trending hashtag's newest clips as a row to scroll sideways, under a header that opens its
 * page (the same query as that page: it opens with them). A row that fails or has no clip to show
 * is left out; the chip above still leads to the hashtag.
 */
function TagRow({ hashtag: { tag, videos: count } }: { hashtag: Hashtag }) {
  const q = useHashtagVideos(tag);
  const clips = (q.data?.pages[0]?.items ?? []).filter((v) => v.posterUrl).slice(0, CLIPS_PER_ROW);
  if (q.isError || (q.isSuccess && clips.length === 0)) return null;
  return (
    <section className="tag-row" aria-label={`#${tag}`}>
      <h2 className="tag-row__title">
        <Link className="tag-row__head" to={`/tag/${encodeURIComponent(tag)}`}>
          <span className="tag-row__sign" aria-hidden="true">#</span>
          <span className="tag-row__text">
            <span className="user-text tag-row__tag">{tag}</span>
            <span className="tag-row__count">{formatCount(count)} {count === 1 ? 'clip' : 'clips'}</span>
          </span>
          <IconChevron size={20} />
        </Link>
      </h2>
      {q.isPending ? <div className="tag-row__loading" role="status" aria-busy="true" aria-label={`Loading clips with #${tag}`} /> : <ClipGrid videos={clips} label={`Clips with #${tag}`} row />}
    </section>
  );
}

const EMPTY: Record<SearchTab, string> = { videos: 'No clips found', users: 'No one found', hashtags: 'No hashtags found', products: 'No products found' };

function Results({ tab, q }: { tab: SearchTab; q: string }) {
  const search = useSearch(tab, q);
  const items = (search.data?.pages.flatMap((p) => p.items) ?? []) as unknown[];
  let body: ReactNode;
  if (search.isError && items.length === 0) body = <ErrorState title="Search didn’t work" message={describeError(search.error)} onRetry={() => void search.refetch()} retrying={search.isFetching} />;
  else if (search.isPending && search.fetchStatus === 'paused') body = <OfflineState />;
  else if (search.isPending) body = tab === 'users' ? <UserRowSkeletons /> : <div className="grid grid--loading" role="status" aria-busy="true" aria-label="Searching" />;
  else if (items.length === 0)
    body = (
      <EmptyState icon={<IconSearch size={32} />} title={EMPTY[tab]}>
        Nothing matches “{q}”. Check the spelling or try fewer letters.
      </EmptyState>
    );
  else if (tab === 'videos') body = <ClipGrid videos={items as Video[]} label="Clips" />;
  else if (tab === 'users')
    body = (
      <ul className="user-list" aria-label="People">
        {(items as User[]).map((u) => <UserRow key={u.id} user={u} highlight={q.replace(/^@/, '')} />)}
      </ul>
    );
  else if (tab === 'hashtags')
    body = (
      <ul className="discover-list" aria-label="Hashtags">
        {(items as Hashtag[]).map((h) => (
          <li key={h.tag}>
            <Link className="discover-row" to={`/tag/${encodeURIComponent(h.tag)}`}>
              <span className="discover-row__icon" aria-hidden="true">#</span>
              <span className="discover-row__text"><span className="user-text">#{h.tag}</span><span className="discover-row__hint">{formatCount(h.videos)} {h.videos === 1 ? 'clip' : 'clips'}</span></span>
            </Link>
          </li>
        ))}
      </ul>
    );
  else
    body = (
      <ul className="discover-list" aria-label="Products">
        {(items as Product[]).map((p) => (
          <li key={p.id}>
            <Link className="discover-row" to={`/p/${p.id}`}>
              {p.imageUrls[0] ? <img className="discover-row__img" src={p.imageUrls[0]} alt="" /> : <span className="discover-row__icon" aria-hidden="true">🛍</span>}
              <span className="discover-row__text"><span className="user-text">{p.title}</span><span className="discover-row__hint">{formatPrice(p.priceMinor, p.currency)} · <span className="user-text">{p.shop.name}</span>{p.available > 0 ? '' : ' · sold out'}</span></span>
            </Link>
          </li>
        ))}
      </ul>
    );
  return (
    <div role="tabpanel" aria-label={`${TABS.find(([t]) => t === tab)?.[1]} matching ${q}`} aria-busy={search.isFetching}>
      {body}
      {search.hasNextPage ? (
        <div className="search-more">
          <Button variant="secondary" onClick={() => void search.fetchNextPage()} loading={search.isFetchingNextPage}>Load more</Button>
        </div>
      ) : null}
      {search.isFetchNextPageError ? <p className="search-status">Couldn’t load more. {describeError(search.error)}</p> : null}
    </div>
  );
}
