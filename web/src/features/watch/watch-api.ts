import { type WatchSession, WatchSessionResult } from '@loop/contracts';
import { type QueryClient, useQuery } from '@tanstack/react-query';
import { ApiError, api } from '../../app/api.ts';
import { realtime } from '../../app/realtime/socket.ts';

/** The conversation's watch session (null: nobody is watching). Kept current by `watch.state` frames. */
export const watchKey = (conversationId: string) => ['watch', conversationId] as const;

export async function fetchWatchSession(conversationId: string, signal?: AbortSignal): Promise<WatchSession | null> {
  try {
    return (await api(`/conversations/${conversationId}/watch`, { schema: WatchSessionResult, signal })).session;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'watch_session_not_found') return null;
    throw err;
  }
}

export function useWatchSession(conversationId: string) {
  return useQuery({ queryKey: watchKey(conversationId), queryFn: ({ signal }) => fetchWatchSession(conversationId, signal), staleTime: 30_000 });
}

/** A newer state (by `rev`) replaces the cached one; an older one that crossed it is dropped. */
export function applyWatchState(qc: QueryClient, conversationId: string, session: WatchSession | null) {
  qc.setQueryData<WatchSession | null>(watchKey(conversationId), (cur) => (session && cur && cur.id === session.id && cur.rev > session.rev ? cur : session));
}

/**
 * Watches `videoId` together: starts a session, or (someone is already watching) switches the
 * running session to this clip.
 */
export async function watchTogether(qc: QueryClient, conversationId: string, videoId: string): Promise<void> {
  try {
    const { session } = await api(`/conversations/${conversationId}/watch`, { method: 'POST', json: { videoId }, schema: WatchSessionResult });
    applyWatchState(qc, conversationId, session);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'watch_session_exists')) throw err;
    realtime.send({ type: 'watch.control', conversationId, action: 'video', videoId });
  }
}

export async function endWatching(qc: QueryClient, conversationId: string): Promise<void> {
  await api(`/conversations/${conversationId}/watch`, { method: 'DELETE' }).catch((err) => {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  });
  applyWatchState(qc, conversationId, null);
}
