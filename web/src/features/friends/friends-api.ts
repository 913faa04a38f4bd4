import { BlockedAccount, FollowRequest, MuteResult, RelationshipResult, Suggestion, UploadContactsResult, UserWithRelationship, page } from '@loop/contracts';
import { type InfiniteData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../app/api.ts';
import { type ImportedContact, inBatches } from './contacts-import.ts';

/** Query keys of the friends feature. */
export const friendKeys = {
  all: ['graph'] as const,
  list: (userId: string, kind: 'friends' | 'followers' | 'following') => ['graph', 'list', userId, kind] as const,
  requests: ['graph', 'follow-requests'] as const,
  suggestions: ['graph', 'suggestions'] as const,
  blocked: ['graph', 'blocked'] as const,
};

const PeoplePage = page(UserWithRelationship);
const RequestPage = page(FollowRequest);
const SuggestionPage = page(Suggestion);
const BlockedPage = page(BlockedAccount);

/** GET /users/:id/friends|followers|following, "load more" by cursor. */
export function useConnections(userId: string | undefined, kind: 'friends' | 'followers' | 'following') {
  return useInfiniteQuery({
    queryKey: friendKeys.list(userId ?? '', kind),
    enabled: Boolean(userId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api(`/users/${userId}/${kind}`, { query: { cursor: pageParam, limit: 30 }, schema: PeoplePage, signal }),
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useFollowRequests() {
  return useInfiniteQuery({
    queryKey: friendKeys.requests,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api('/me/follow-requests', { query: { cursor: pageParam, limit: 30 }, schema: RequestPage, signal }),
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** The people you blocked, newest first: Settings lists them to unblock. */
export function useBlockedAccounts() {
  return useInfiniteQuery({
    queryKey: friendKeys.blocked,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api('/me/blocks', { query: { cursor: pageParam, limit: 50 }, schema: BlockedPage, signal }),
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useSuggestions() {
  return useInfiniteQuery({
    queryKey: friendKeys.suggestions,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api('/me/suggestions', { query: { cursor: pageParam, limit: 20 }, schema: SuggestionPage, signal }),
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** After any change to the graph: every list and profile may show something else now. */
function useInvalidateGraph() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: friendKeys.all });
    void qc.invalidateQueries({ queryKey: ['profile'] });
  };
}

type Action = 'follow' | 'unfollow' | 'block' | 'unblock' | 'mute' | 'unmute';
const ROUTES: Record<Action, [method: 'PUT' | 'DELETE', path: string]> = {
  follow: ['PUT', 'follow'],
  unfollow: ['DELETE', 'follow'],
  block: ['PUT', 'block'],
  unblock: ['DELETE', 'block'],
  mute: ['PUT', 'mute'],
  unmute: ['DELETE', 'mute'],
};

/** Follow / unfollow / block / unblock / mute / unmute someone by id. */
export function useGraphAction() {
  const invalidate = useInvalidateGraph();
  return useMutation({
    mutationFn: ({ action, userId }: { action: Action; userId: string; username?: string }) => {
      const [method, path] = ROUTES[action];
      return api(`/users/${userId}/${path}`, { method, schema: action.endsWith('mute') ? MuteResult : RelationshipResult });
    },
    onSuccess: invalidate,
  });
}

/** Takes a suggestion off the list at once; the server remembers the dismissal. */
export function useDismissSuggestion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => api(`/me/suggestions/${userId}/dismiss`, { method: 'POST' }),
    onMutate: (userId) => {
      qc.setQueryData<InfiniteData<{ items: Suggestion[]; nextCursor: string | null }>>(friendKeys.suggestions, (d) =>
        d ? { ...d, pages: d.pages.map((p) => ({ ...p, items: p.items.filter((s) => s.user.id !== userId) })) } : d,
      );
    },
    onSettled: () => qc.invalidateQueries({ queryKey: friendKeys.suggestions }),
  });
}

export function useAnswerRequest() {
  const invalidate = useInvalidateGraph();
  return useMutation({
    mutationFn: ({ userId, accept }: { userId: string; accept: boolean }) =>
      api(`/me/follow-requests/${userId}/${accept ? 'accept' : 'decline'}`, { method: 'POST', schema: RelationshipResult }),
    onSuccess: invalidate,
  });
}

/** Uploads an address book in batches of 2,000; answers everyone found. */
export function useUploadContacts() {
  const invalidate = useInvalidateGraph();
  return useMutation({
    mutationFn: async (contacts: ImportedContact[]) => {
      const matches = new Map<string, z.infer<typeof UploadContactsResult>['matches'][number]>();
      let accepted = 0;
      for (const batch of inBatches(contacts)) {
        const res = await api('/me/contacts', { method: 'POST', json: { contacts: batch }, schema: UploadContactsResult });
        for (const m of res.matches) matches.set(m.id, m);
        accepted += res.accepted;
      }
      return { matches: [...matches.values()], accepted };
    },
    onSuccess: invalidate,
  });
}

export function useDeleteContacts() {
  const invalidate = useInvalidateGraph();
  return useMutation({ mutationFn: () => api('/me/contacts', { method: 'DELETE' }), onSuccess: invalidate });
}
