import { type Conversation, type Message, page, Conversation as ConversationSchema, Message as MessageSchema, User } from '@loop/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../../app/api.ts';
import { useSession } from '../../app/session.ts';
import { useRealtime, useRealtimeFrames } from '../../app/realtime/socket.ts';
// Chat's outbox plugs into the socket as soon as the app has an inbox (the shell's Inbox tab):
// queued messages go out, and `hello.resume` is sent, on every screen, not only in a chat.
import './chat-outbox.ts';

export const conversationsKey = (folder: 'inbox' | 'requests' | 'shop') => ['conversations', folder] as const;
export const conversationKey = (id: string) => ['conversation', id] as const;
export const historyKey = (id: string) => ['history', id] as const;

const ConversationPage = page(ConversationSchema);
const MessagePage = page(MessageSchema);
const ConversationResult = z.object({ conversation: ConversationSchema });
const MessageResult = z.object({ message: MessageSchema });

export function useConversations(folder: 'inbox' | 'requests' | 'shop', enabled = true) {
  return useQuery({ queryKey: conversationsKey(folder), queryFn: () => api('/conversations', { query: { folder, limit: 50 }, schema: ConversationPage }), enabled });
}

export function useConversation(id: string) {
  return useQuery({ queryKey: conversationKey(id), queryFn: async () => (await api(`/conversations/${id}`, { schema: ConversationResult })).conversation });
}

export const fetchHistory = (id: string, beforeSeq?: number, limit = 30) => api(`/conversations/${id}/messages`, { query: { beforeSeq, limit }, schema: MessagePage });
export const searchMessages = (id: string, q: string, cursor?: string) => api(`/conversations/${id}/messages/search`, { query: { q, cursor, limit: 20 }, schema: MessagePage });

export const createConversation = async (memberIds: string[], title?: string) =>
  (await api('/conversations', { json: { memberIds, ...(title ? { title } : {}) }, schema: ConversationResult })).conversation;

export const acceptRequest = (id: string) => api(`/conversations/${id}/accept`, { method: 'POST', schema: ConversationResult });
export const declineRequest = (id: string) => api(`/conversations/${id}/decline`, { method: 'POST', schema: ConversationResult });
export const editMessage = (id: string, seq: number, text: string) => api(`/conversations/${id}/messages/${seq}`, { method: 'PATCH', json: { text }, schema: MessageResult });
export const unsendMessage = (id: string, seq: number) => api(`/conversations/${id}/messages/${seq}`, { method: 'DELETE', schema: MessageResult });
export const react = (id: string, seq: number, emoji: string, on: boolean) =>
  api(`/conversations/${id}/messages/${seq}/reactions/${encodeURIComponent(emoji)}`, { method: on ? 'PUT' : 'DELETE', schema: MessageResult });

export const friendsOf = (userId: string) => api(`/users/${userId}/friends`, { query: { limit: 100 }, schema: page(User.passthrough()) });

/** Keeps the conversation lists fresh from the socket; started once for a signed-in person. */
export function useInboxLive() {
  const session = useSession();
  const qc = useQueryClient();
  const signedIn = session.status === 'signed-in';
  useRealtime(signedIn);
  useRealtimeFrames((f) => {
    if (f.type === 'message' || f.type === 'conversation.updated' || f.type === 'conversation.removed' || f.type === 'read' || f.type === 'resync' || f.type === 'ready') {
      // Every mounted badge (tab bar and side navigation) hears the frame: the first refetch
      // started serves them all instead of each cancelling the last and starting its own.
      void qc.invalidateQueries({ queryKey: ['conversations'] }, { cancelRefetch: false });
    }
  });
  return signedIn;
}

export type { Conversation, Message };
