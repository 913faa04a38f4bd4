import { NotificationList, NotificationSettings, UnreadCount, type Notification, type NotificationKind } from '@loop/contracts';
import { type InfiniteData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api.ts';
import { useSession } from '../../app/session.ts';
import { useRealtime, useRealtimeFrames } from '../../app/realtime/socket.ts';

/** Query keys of the activity inbox. */
export const activityKeys = {
  list: ['notifications', 'list'] as const,
  unread: ['notifications', 'unread'] as const,
  settings: ['notifications', 'settings'] as const,
};

type ListPage = { items: Notification[]; nextCursor: string | null };

/** GET /notifications, newest first, "load more" by cursor. */
export function useNotifications() {
  return useInfiniteQuery({
    queryKey: activityKeys.list,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api('/notifications', { query: { cursor: pageParam, limit: 30 }, schema: NotificationList, signal }),
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** The bell's number. Kept current by `notification` frames (see `useActivityLive`). */
export function useUnreadActivity(): number {
  const signedIn = useSession().status === 'signed-in';
  const q = useQuery({
    queryKey: activityKeys.unread,
    enabled: signedIn,
    queryFn: ({ signal }) => api('/notifications/unread-count', { schema: UnreadCount, signal }),
  });
  return signedIn ? (q.data?.count ?? 0) : 0;
}

/**
 * Live activity: a `notification` frame puts the row at the top of the list (replacing the
 * group it grew from) and sets the bell's count; a reconnect re-reads both. Keeps the app's
 * socket up while mounted (the socket is shared by every feature and reference-counted).
 */
export function useActivityLive() {
  const qc = useQueryClient();
  const signedIn = useSession().status === 'signed-in';
  useRealtime(signedIn);
  useRealtimeFrames((f) => {
    if (f.type === 'notification') {
      const n = f.notification;
      qc.setQueryData(activityKeys.unread, { count: f.unreadCount });
      qc.setQueryData<InfiniteData<ListPage>>(activityKeys.list, (data) => {
        if (!data) return data;
        // A group that grew comes back under its own id: drop the old copy of it.
        const pages = data.pages.map((p, i) => ({ ...p, items: [...(i === 0 ? [n] : []), ...p.items.filter((x) => x.id !== n.id)] }));
        return { ...data, pages };
      });
    } else if (f.type === 'ready' || f.type === 'resync') {
      // One refetch for every mounted bell (see useInboxLive).
      void qc.invalidateQueries({ queryKey: ['notifications'] }, { cancelRefetch: false });
    }
  });
  return signedIn;
}

/** POST /notifications/read: everything shown is seen. The bell goes to 0 at once. */
export function useMarkActivityRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (upToId?: string) => api('/notifications/read', { method: 'POST', json: upToId ? { upToId } : {} }),
    onMutate: () => qc.setQueryData(activityKeys.unread, { count: 0 }),
    onSettled: () => void qc.invalidateQueries({ queryKey: activityKeys.unread }),
  });
}

export function useNotificationSettings() {
  return useQuery({ queryKey: activityKeys.settings, queryFn: ({ signal }) => api('/me/notification-settings', { schema: NotificationSettings, signal }) });
}

/** PATCH one kind's switch, shown at once and rolled back if the server refuses. */
export function useUpdateNotificationSetting() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: { kind: NotificationKind; inApp?: boolean; push?: boolean }) => {
      const { kind, ...sw } = patch;
      return api('/me/notification-settings', { method: 'PATCH', json: { [kind]: sw }, schema: NotificationSettings });
    },
    onMutate: async ({ kind, ...sw }) => {
      await qc.cancelQueries({ queryKey: activityKeys.settings });
      const before = qc.getQueryData<NotificationSettings>(activityKeys.settings);
      if (before) qc.setQueryData(activityKeys.settings, { ...before, [kind]: { ...before[kind], ...sw } });
      return { before };
    },
    onError: (_err, _v, c) => {
      if (c?.before) qc.setQueryData(activityKeys.settings, c.before);
    },
    onSuccess: (data) => qc.setQueryData(activityKeys.settings, data),
  });
}
