import { AuthResult, type ChangePasswordBody, Me, Profile, type Settings, type SignupBody, User, page } from '@loop/contracts';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { z } from 'zod';
import { api } from '../../app/api.ts';
import { clearLoggedOutHere, fetchMe, type MeData, meKey, useEndSession } from '../../app/session.ts';
import { useToast } from '../../ui/Toast.tsx';

/** Query keys of the accounts feature. */
export const accountKeys = {
  profile: (username: string) => ['profile', username.toLowerCase()] as const,
  search: (q: string) => ['user-search', q] as const,
};

/** GET /users/:username → profile, counts and relationship. */
export function useProfile(username: string) {
  return useQuery({
    queryKey: accountKeys.profile(username),
    queryFn: ({ signal }) => api(`/users/${encodeURIComponent(username)}`, { schema: Profile, signal }),
  });
}

/** Signs in and loads the session; the signed-out guard then moves the person on. */
function useAuthMutation<Body>(path: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: Body) => {
      await api(path, { method: 'POST', json: body, schema: AuthResult });
      // The cookie is set; /me gives the settings too and proves the session works.
      return fetchMe();
    },
    onSuccess: (me) => {
      clearLoggedOutHere();
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
      qc.setQueryData(meKey, me);
    },
  });
}

export const useSignup = () => useAuthMutation<SignupBody>('/auth/signup');
export const useLogin = () => useAuthMutation<{ username: string; password: string }>('/auth/login');

/** POST /auth/logout, then the welcome screen with nothing of the previous person left in memory. */
export function useLogout() {
  const endSession = useEndSession();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => api('/auth/logout', { method: 'POST' }),
    onSuccess: () => {
      endSession();
      void navigate('/welcome', { replace: true });
    },
  });
}

/** Writes a new `user` into every cached place that shows it (me, own profile). */
function putUser(qc: ReturnType<typeof useQueryClient>, user: User) {
  qc.setQueryData<MeData | null>(meKey, (me) => (me ? { ...me, user } : me));
  qc.setQueryData<Profile>(accountKeys.profile(user.username), (p) => (p ? { ...p, user } : p));
}

/**
 * PATCH /me, optimistically: the profile shows the new name and bio at once; on failure the
 * previous values come back and a quiet toast says so.
 */
export function useUpdateProfile() {
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (patch: { displayName?: string; bio?: string }) => api('/me', { method: 'PATCH', json: patch, schema: z.object({ user: User }) }),
    onMutate: async (patch) => {
      await qc.cancelQueries({ queryKey: meKey });
      const before = qc.getQueryData<MeData | null>(meKey);
      if (before) {
        await qc.cancelQueries({ queryKey: accountKeys.profile(before.user.username) });
        putUser(qc, { ...before.user, ...patch });
      }
      return { before };
    },
    onError: (_err, _patch, context) => {
      if (context?.before) putUser(qc, context.before.user);
      toast('Couldn’t save your profile, so your changes were undone.', 'error');
    },
    onSuccess: ({ user }) => putUser(qc, user),
  });
}

/** PATCH /me/settings, optimistically, rolled back with a toast on failure. */
export function useUpdateSettings() {
  const qc = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (patch: Partial<Settings>) => api('/me/settings', { method: 'PATCH', json: patch }) as Promise<{ user: User; settings: Settings }>,
    onMutate: async (patch) => {
      await qc.cancelQueries({ queryKey: meKey });
      const before = qc.getQueryData<MeData | null>(meKey);
      if (before) qc.setQueryData<MeData>(meKey, { ...before, settings: { ...before.settings, ...patch } });
      return { before };
    },
    onError: (_err, _patch, context) => {
      if (context?.before) qc.setQueryData(meKey, context.before);
      toast('Couldn’t save that setting. It’s back to how it was.', 'error');
    },
    onSuccess: ({ settings }, patch) => {
      qc.setQueryData<MeData | null>(meKey, (me) => (me ? { ...me, settings } : me));
      // The dial changes what For You ranks first: the pages loaded before it (kept for a minute
      // under videoKeys.feed('for-you')) would show the old order when the person goes back.
      if ('friendsFirst' in patch) qc.removeQueries({ queryKey: ['feed', 'for-you'] });
    },
  });
}

/** PUT /me/avatar (multipart field `file`); errors (413, 422) are shown by the screen. */
export function useUploadAvatar() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return api('/me/avatar', { method: 'PUT', form, schema: z.object({ user: User }) });
    },
    onSuccess: ({ user }) => putUser(qc, user),
  });
}

export function useRemoveAvatar() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api('/me/avatar', { method: 'DELETE', schema: z.object({ user: User }) }),
    onSuccess: ({ user }) => putUser(qc, user),
  });
}

/** POST /me/password; the other devices are signed out by the server, this one stays. Errors are shown by the screen. */
export function useChangePassword() {
  return useMutation({ mutationFn: (body: ChangePasswordBody) => api('/me/password', { method: 'POST', json: body }) });
}

/** PUT (a value) or DELETE (null) /me/email or /me/phone; the answer is the whole `me`, cached as is. */
export function useSetContact(kind: 'email' | 'phone') {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (value: string | null) =>
      api(`/me/${kind}`, value === null ? { method: 'DELETE', schema: Me } : { method: 'PUT', json: { [kind]: value }, schema: Me }),
    onSuccess: (me) => qc.setQueryData(meKey, me),
  });
}

const UserPage = page(User);

/** GET /users/search?q= with keyset "load more"; keeps the last results on screen while typing. */
export function useUserSearch(q: string) {
  return useInfiniteQuery({
    queryKey: accountKeys.search(q),
    enabled: q.length > 0,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api('/users/search', { query: { q, cursor: pageParam, limit: 20 }, schema: UserPage, signal }),
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}
