import { Me } from '@loop/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { z } from 'zod';
import { ApiError, api } from './api.ts';
import { firstScreenAt, firstScreenSignedIn, takeFirstScreenMe } from './first-screen.ts';

export type MeData = z.infer<typeof Me>;

/** The query key of the signed-in user; `null` data means signed out. */
export const meKey = ['me'] as const;

/** GET /me: the signed-in user and settings, or null when the server answers 401. */
export async function fetchMe(): Promise<MeData | null> {
  let me: MeData | null;
  try {
    me = await api('/me', { schema: Me });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) me = null;
    else throw err;
  }
  storeSession(me);
  return me;
}

/**
 * The last answer of /me is kept in localStorage so that the app opens at once, and offline, as the
 * person it was: the guards let them in while /me is asked again (its answer replaces this one; a 401
 * signs them out). The cookie is what the server trusts; this only decides what to draw first. Their
 * email and phone are left out of it (the server has them), and logging out removes it.
 */
const STORED_SESSION = 'loop:me';

function storeSession(me: MeData | null) {
  try {
    if (me) localStorage.setItem(STORED_SESSION, JSON.stringify({ ...me, email: null, phone: null }));
    else localStorage.removeItem(STORED_SESSION);
  } catch {
    // Storage full or blocked: the app just waits for /me at the next start.
  }
}

function storedSession(): MeData | undefined {
  try {
    const raw = localStorage.getItem(STORED_SESSION);
    const parsed = raw ? Me.safeParse(JSON.parse(raw)) : null;
    return parsed?.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether someone is signed in as far as this browser knows (the page was sent for them, or /me said so last). */
export const hasStoredSession = () => firstScreenSignedIn() || storedSession() !== undefined;

/**
 * The answer of `GET /me` sent with the page. It is not parsed with zod: this server wrote it a
 * moment ago through that route (its response schema is `Me`), and the page and this script come
 * from the same build; parsing it (zod's first parse: its code compiled at a phone's speed) was part
 * of the app's first long task. A glance at its shape still keeps an odd block out.
 */
function sentMe(): MeData | undefined {
  const sent = takeFirstScreenMe() as MeData | undefined;
  return typeof sent?.user?.id === 'string' && typeof sent.settings === 'object' ? sent : undefined;
}

// When the starting answer came with the page (first-screen.ts) it is fresh, not a stored one.
let initialMeAt = 0;
function initialMe(): MeData | undefined {
  const sent = sentMe();
  if (sent) {
    storeSession(sent);
    initialMeAt = firstScreenAt();
    return sent;
  }
  initialMeAt = 0;
  return storedSession();
}

export type Session =
  | { status: 'loading'; me: null }
  | { status: 'signed-in'; me: MeData }
  | { status: 'signed-out'; me: null }
  /** /me failed for another reason (offline, server down); `retry` asks again. */
  | { status: 'unknown'; me: null; error: unknown; retry: () => void };

/**
 * Who is signed in. The session cookie is httpOnly, so the app cannot read it: it asks the
 * server (GET /me) and caches the answer under `meKey` (starting from the stored one, above).
 */
export function useSession(): Session {
  // The stored answer counts as already stale: /me is asked at once all the same (the one sent
  // with the page is as fresh as a fetch).
  const q = useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 5 * 60_000, initialData: initialMe, initialDataUpdatedAt: () => initialMeAt });
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
    storeSession(null);
    qc.cancelQueries();
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
    qc.setQueryData(meKey, null);
  }, [qc]);
}
