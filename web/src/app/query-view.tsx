import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorState, OfflineState } from '../ui/ErrorState.tsx';
import { describeError } from './api.ts';

export interface QueryViewProps<T> {
  query: UseQueryResult<T>;
  /** The loading state, shaped like the content. */
  skeleton: ReactNode;
  /** Title of the error state ("Couldn't load this profile"). */
  errorTitle?: string;
  /** Custom rendering of some errors (404 → "no such person"); return undefined for the default. */
  renderError?: (err: unknown) => ReactNode | undefined;
  children: (data: T) => ReactNode;
  compact?: boolean;
}

/**
 * The four states of a screen that shows one query: loading (skeleton), offline (paused with
 * nothing cached), error (with retry) and the content. Empty is the content's business.
 */
export function QueryView<T>({ query, skeleton, errorTitle, renderError, children, compact }: QueryViewProps<T>) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.isError) {
    const custom = renderError?.(query.error);
    if (custom !== undefined) return <>{custom}</>;
    return (
      <ErrorState
        title={errorTitle}
        message={describeError(query.error)}
        onRetry={() => void query.refetch()}
        retrying={query.isFetching}
        compact={compact}
      />
    );
  }
  if (query.fetchStatus === 'paused') return <OfflineState compact={compact} />;
  return <>{skeleton}</>;
}
