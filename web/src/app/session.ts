import { Me } from '@loop/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { z } from 'zod';
import { ApiError, api } from './api.ts';

export type MeData = z.infer<typeof Me>;

/** The query key of the signed-in user; `null` data means signed out. */
export const meKey = ['me'] as const;

/** GET /me: the signed-in user and settings, or null when the server answers 401. */
export async function fetchMe(): Promise<MeData | null> {
  try {
    return await api('/me', { schema: Me });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export type Session =
  | { status: 'loading'; me: null }
  | { status: 'signed-in'; me: MeData }
  | { status: 'signed-out'; me: null }
  /** /me failed for another reason (offline, server down); `retry` asks again. */
  | { status: 'unknown'; me: null; error: unknown; retry: () => void };

/**
 * Who is signed in. The session cookie is httpOnly, so the app cannot read it: it asks the
 * server (GET /me) and caches the answer under `meKey`.
 */
export function useSession(): Session {
  const q = useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 5 * 60_000 });
  if (q.data) return { status: 'signed-in', me: q.data };
  if (q.data === null) return { status: 'signed-out', me: null };
  if (q.isError || q.fetchStatus === 'paused') return { status: 'unknown', me: null, error: q.error, retry: () => void q.refetch() };
  return { status: 'loading', me: null };
}

/** The signed-in user; only for screens behind the signed-in guard. */
export function useMe(): MeData {
  const s = useSession();
  if (s.status !== 'signed-in') throw new Error('useMe() used outside a signed-in screen');
  return s.me;
}

// Set when the person logs out here, so the guards send them to the welcome screen rather than
// to a sign-in that would bring them back to the screen they just logged out from.
let loggedOutHere = false;
export const didLogOutHere = () => loggedOutHere;
export const clearLoggedOutHere = () => {
  loggedOutHere = false;
};

/** Forgets everything cached for the previous person and marks the session signed out. */
export function useEndSession(): () => void {
  const qc = useQueryClient();
  return useCallback(() => {
    loggedOutHere = true;
    qc.cancelQueries();
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
    qc.setQueryData(meKey, null);
  }, [qc]);
}
