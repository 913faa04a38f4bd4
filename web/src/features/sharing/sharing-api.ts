import { type ShareTarget, ShareTargetsResult, ShareVideoResult, type VideoCard } from '@loop/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api.ts';

/** The share sheet's recipients (ranked by the server; see docs/sharing.md). */
export const shareTargetsKey = (q: string) => ['share-targets', q] as const;

export function useShareTargets(q: string, enabled: boolean) {
  return useQuery({
    queryKey: shareTargetsKey(q),
    queryFn: ({ signal }) => api('/me/share-targets', { query: { q, limit: 40 }, schema: ShareTargetsResult, signal }),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export interface ShareRequest {
  videoId: string;
  conversationIds: string[];
  userIds: string[];
  note?: string;
  asGroup?: boolean;
  /** The same id on a retry: the server sends nothing twice. */
  clientShareId: string;
}

export function useShareVideo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ videoId, ...body }: ShareRequest) =>
      api(`/videos/${videoId}/shares`, {
        method: 'POST',
        json: { ...body, conversationIds: body.conversationIds.length ? body.conversationIds : undefined, userIds: body.userIds.length ? body.userIds : undefined },
        schema: ShareVideoResult,
      }),
    retry: (count, err) => (err as { isNetwork?: boolean }).isNetwork === true && count < 3,
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: ['share-targets'] });
      void qc.invalidateQueries({ queryKey: ['conversations'] });
    },
  });
}

export const targetKey = (t: ShareTarget) => (t.kind === 'group' ? `c:${t.conversationId}` : `u:${t.user.id}`);
export const targetName = (t: ShareTarget) =>
  t.kind === 'user' ? t.user.displayName || t.user.username : t.title || t.members.map((m) => m.displayName || m.username).join(', ') || 'Group';

/** PUBLIC_URL/v/:id — the card carries it; elsewhere the app's own origin is the public one. */
export const videoLinkFor = (id: string, card?: Pick<VideoCard, 'url'> | null) => card?.url ?? `${window.location.origin}/v/${id}`;

/** Finds a Loop clip in a shared URL or text ("https://loop.example/v/123"). */
export function videoIdFromShared(...texts: Array<string | null | undefined>): string | null {
  for (const t of texts) {
    const m = t ? /\/v\/([1-9][0-9]{0,18})(?![0-9A-Za-z])/.exec(t) : null;
    if (m) return m[1]!;
  }
  return null;
}

export function newShareId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
