import { type ClientFrame, CreateLiveResult, type Live, type LiveIngest as LiveIngestSchema, LiveResult, type LiveVisibility, Live as LiveSchema, page, type User } from '@loop/contracts';
import type { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../app/api.ts';
import { realtime, useRealtime, useRealtimeFrames, useRealtimeStatus } from '../../app/realtime/socket.ts';
import { CHAT_KEEP, mergeSnapshot, type RoomMessage } from './chat-lines.ts';

export type { Live, LiveChatMessage, LivePinned, LiveVisibility } from '@loop/contracts';
export type { RoomMessage } from './chat-lines.ts';

/** What `POST /lives` answers beside the live: where streaming software sends the stream. */
export type LiveIngest = z.infer<typeof LiveIngestSchema>;

const sendFrame = (f: ClientFrame) => realtime.send(f);

const LivePage = page(LiveSchema);

export const liveKeys = {
  live: (id: string) => ['live', id] as const,
  // Not under 'feed': those keys hold pages of clips, which like/save/not-interested rewrite.
  feed: ['lives', 'on-air'] as const,
};

export function useLive(id: string) {
  return useQuery({
    queryKey: liveKeys.live(id),
    queryFn: ({ signal }) => api(`/lives/${id}`, { schema: LiveResult, signal }).then((r) => r.live),
  });
}

/**
 * Lives on air the signed-in person may see, friends first (`GET /feed/live`). The server filters
 * them by each live's audience (public, followers, friends; never across a block), so this one list
 * is also where every LIVE ring in the app comes from (`useLiveOf`): a person who may not watch a
 * live never learns it is on. Kept fresh by `useLiveRingsSync`: its frames, and its one poll every
 * 30 s (an interval on every ring's query would poll once per ring), and on focus.
 */
const liveFeedQuery = {
  queryKey: liveKeys.feed,
  queryFn: ({ signal }: { signal: AbortSignal }) => api('/feed/live', { query: { limit: 100 }, schema: LivePage, signal }).then((r) => r.items),
  staleTime: 20_000,
};
const LIVE_FEED_POLL_MS = 30_000;

export function useLiveFeed(enabled = true) {
  return useQuery({ ...liveFeedQuery, enabled });
}


const NO_HOSTS = new Map<string, string>();
const onAirHosts = (lives: Live[]) => new Map(lives.filter((l) => l.status === 'live').map((l) => [l.host.id, l.id]));

/** userId → the live they are on now (for the LIVE ring on avatars). */
export function useLiveHosts(): Map<string, string> {
  return useQuery({ ...liveFeedQuery, select: onAirHosts }).data ?? NO_HOSTS;
}

/** The live this person is on now, if the signed-in viewer may watch it (the LIVE ring); else null. */
export function useLiveOf(userId: string | null | undefined): string | null {
  const hosts = useLiveHosts();
  return (userId && hosts.get(userId)) || null;
}

/**
 * Keeps the rings current (mounted once, in the app shell): a `live_started` notification (a
 * followed person went live) or a live ending in a room this tab is in refetches the list at once;
 * anything else (a stranger's public live, a live ending elsewhere) shows at the next refetch.
 */
export function useLiveRingsSync(signedIn: boolean) {
  const qc = useQueryClient();
  useQuery({ ...liveFeedQuery, refetchInterval: LIVE_FEED_POLL_MS, select: onAirHosts });
  useRealtime(signedIn);
  useRealtimeFrames((f) => {
    const started = f.type === 'notification' && f.notification.kind === 'live_started';
    const ended = f.type === 'live.ended' || (f.type === 'live.state' && f.live.status === 'ended');
    if (started || ended) void qc.invalidateQueries({ queryKey: liveKeys.feed });
  });
}

export function createLive(body: { title: string; visibility: LiveVisibility }) {
  return api('/lives', { method: 'POST', json: body, schema: CreateLiveResult });
}

export function useLiveActions(id: string) {
  const qc = useQueryClient();
  const set = (live: Live) => qc.setQueryData(liveKeys.live(id), live);
  return {
    end: useMutation({ mutationFn: () => api<{ live: Live }>(`/lives/${id}/end`, { method: 'POST' }), onSuccess: (r) => set(r.live) }),
    patch: useMutation({
      mutationFn: (body: { slowModeSec?: number; followersOnly?: boolean; pinned?: { type: 'message' | 'product'; id: string } | null }) =>
        api<{ live: Live }>(`/lives/${id}`, { method: 'PATCH', json: body }),
      onSuccess: (r) => set(r.live),
    }),
    ban: useMutation({
      mutationFn: ({ userId, durationSec }: { userId: string; durationSec?: number }) =>
        api(`/lives/${id}/bans/${userId}`, { method: 'PUT', json: durationSec ? { durationSec } : {} }),
    }),
    moderator: useMutation({
      mutationFn: ({ userId, on }: { userId: string; on: boolean }) => api(`/lives/${id}/moderators/${userId}`, { method: on ? 'PUT' : 'DELETE' }),
    }),
    deleteMessage: useMutation({ mutationFn: (messageId: string) => api(`/lives/${id}/chat/${messageId}`, { method: 'DELETE' }) }),
  };
}

/**
 * The live's room on the app socket: joins (again after every reconnect, which brings a fresh
 * snapshot), keeps the recent chat, the live's state and floating hearts, and sends chat with
 * an optimistic line that the ack confirms or an error removes.
 */
export function useLiveRoom(liveId: string, onError: (message: string) => void) {
  useRealtime();
  const status = useRealtimeStatus();
  const qc = useQueryClient();
  const [messages, setMessages] = useState<RoomMessage[]>([]);
  const [ended, setEnded] = useState(false);
  /** Set when a moderator banned or timed out this person: the room stops, the video goes on. */
  const [removed, setRemoved] = useState<string | null>(null);
  const [hearts, setHearts] = useState<number[]>([]);
  const heartId = useRef(0);
  const errorRef = useRef(onError);
  errorRef.current = onError;

  useEffect(() => {
    if (status !== 'online') return;
    sendFrame({ type: 'live.join', liveId });
    return () => void sendFrame({ type: 'live.leave', liveId });
  }, [status, liveId]);

  const floatHearts = useCallback((n: number) => {
    const add = Array.from({ length: Math.min(n, 6) }, () => ++heartId.current);
    setHearts((h) => [...h.slice(-20), ...add]);
    setTimeout(() => setHearts((h) => h.filter((x) => !add.includes(x))), 2200);
  }, []);

  useRealtimeFrames((f) => {
    switch (f.type) {
      case 'live.snapshot':
        if (f.live.id !== liveId) return;
        qc.setQueryData(liveKeys.live(liveId), f.live);
        setMessages((m) => mergeSnapshot(m, f.recent));
        if (f.live.status === 'ended') setEnded(true);
        // In the room again (a reconnect): this person's lines still pending (a frame written as the socket
        // dropped is lost with it) go again under the same id (the server keeps one message per id and acknowledges a repeat).
        for (const x of messages) if (x.pending) sendFrame({ type: 'live.chat', liveId, clientMsgId: x.id, text: x.text });
        return;
      case 'live.chat':
        if (f.liveId !== liveId) return;
        setMessages((m) => {
          const ids = new Set(f.messages.map((x) => x.id));
          return [...m.filter((x) => !ids.has(x.id)), ...f.messages].slice(-CHAT_KEEP);
        });
        return;
      case 'live.chat.ack':
        setMessages((m) => {
          const mine = m.find((x) => x.id === f.clientMsgId);
          if (!mine) return m;
          // The batch may have brought the real line already.
          if (m.some((x) => x.id === f.id)) return m.filter((x) => x.id !== f.clientMsgId);
          return m.map((x) => (x.id === f.clientMsgId ? { ...x, id: f.id, pending: false } : x));
        });
        return;
      case 'live.chat.deleted':
        if (f.liveId !== liveId) return;
        setMessages((m) => m.filter((x) => !f.ids.includes(x.id)));
        return;
      case 'live.state':
        if (f.live.id !== liveId) return;
        qc.setQueryData(liveKeys.live(liveId), f.live);
        if (f.live.status === 'ended') setEnded(true);
        return;
      case 'live.ended':
        if (f.liveId !== liveId) return;
        setEnded(true);
        qc.setQueryData<Live>(liveKeys.live(liveId), (l) => (l ? { ...l, status: 'ended' } : l));
        return;
      case 'live.hearts':
        if (f.liveId === liveId) floatHearts(f.count);
        return;
      case 'live.removed':
        if (f.liveId !== liveId) return;
        setRemoved(f.reason === 'banned' ? 'You were removed from this live’s chat.' : 'You were timed out of this live’s chat for a while.');
        return;
      case 'error': {
        if (!f.clientMsgId) return;
        const had = messages.some((x) => x.id === f.clientMsgId);
        setMessages((m) => m.filter((x) => x.id !== f.clientMsgId));
        if (had) errorRef.current(chatErrorText(f.code, f.detail));
        return;
      }
    }
  });

  const send = useCallback(
    (text: string, me: User) => {
      const clientMsgId = `c-${crypto.randomUUID()}`;
      if (!sendFrame({ type: 'live.chat', liveId, clientMsgId, text })) {
        errorRef.current('You’re offline. Your message wasn’t sent.');
        return false;
      }
      setMessages((m) => [...m, { id: clientMsgId, user: me, text, createdAt: new Date().toISOString(), pending: true }].slice(-CHAT_KEEP));
      return true;
    },
    [liveId],
  );

  const heart = useCallback(() => {
    sendFrame({ type: 'live.heart', liveId, count: 1 });
    floatHearts(1);
  }, [liveId, floatHearts]);

  const removeLocally = useCallback((id: string) => setMessages((m) => m.filter((x) => x.id !== id)), []);

  return { messages, ended, removed, hearts, send, heart, removeLocally, online: status === 'online' };
}

function chatErrorText(code: string, detail: string): string {
  switch (code) {
    case 'slow_mode':
      return 'Slow mode is on. Wait a moment before your next message.';
    case 'rate_limited':
      return 'You’re sending messages too fast.';
    case 'banned':
      return 'You can’t chat in this live.';
    case 'followers_only':
      return 'Only followers can chat in this live.';
    default:
      return detail || 'Your message wasn’t sent.';
  }
}
