import { Message, Story, StoryResult, StoryTray, StoryViewer, type StoryAudience, page } from '@loop/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../../app/api.ts';

/** Query keys of the stories feature. */
export const storyKeys = {
  all: ['stories'] as const,
  tray: ['stories', 'tray'] as const,
  user: (userId: string) => ['stories', 'user', userId] as const,
  viewers: (storyId: string) => ['stories', 'viewers', storyId] as const,
};

const StoryPage = page(Story);
const ViewerPage = page(StoryViewer);

/** GET /stories/feed: people with stories, unseen first. */
export function useStoryTray() {
  return useQuery({ queryKey: storyKeys.tray, queryFn: ({ signal }) => api('/stories/feed', { schema: StoryTray, signal }), staleTime: 30_000 });
}

/** GET /users/:id/stories: one person's live stories (oldest first). */
export function useUserStories(userId: string | undefined) {
  return useQuery({
    queryKey: storyKeys.user(userId ?? ''),
    enabled: Boolean(userId),
    queryFn: ({ signal }) => api(`/users/${userId}/stories`, { schema: StoryPage, signal }),
  });
}

export function useStoryViewers(storyId: string | null) {
  return useQuery({
    queryKey: storyKeys.viewers(storyId ?? ''),
    enabled: Boolean(storyId),
    queryFn: ({ signal }) => api(`/stories/${storyId}/viewers`, { query: { limit: 100 }, schema: ViewerPage, signal }),
  });
}

export interface NewStory {
  file: File;
  audience: StoryAudience;
  caption: string;
}

/** Posts a story (multipart); the tray and the author's list refresh. */
export function usePostStory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ file, audience, caption }: NewStory) => {
      const form = new FormData();
      form.append('audience', audience);
      if (caption.trim()) form.append('caption', caption.trim());
      form.append('file', file);
      return api('/stories', { method: 'POST', form, schema: StoryResult });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: storyKeys.all }),
  });
}

/** Marks a story seen; the tray's ring turns grey without waiting for a refetch. */
export function useMarkSeen() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (storyId: string) => api(`/stories/${storyId}/views`, { method: 'POST' }),
    onMutate: (storyId) => {
      qc.setQueryData<z.infer<typeof StoryTray>>(storyKeys.tray, (tray) => {
        if (!tray) return tray;
        return {
          ...tray,
          items: tray.items.map((e) => {
            const stories = e.stories.map((s) => (s.id === storyId ? { ...s, viewer: { seen: true } } : s));
            return { ...e, stories, allSeen: stories.every((s) => s.viewer.seen) };
          }),
        };
      });
    },
  });
}

export function useReplyToStory() {
  return useMutation({
    mutationFn: ({ storyId, text, reaction }: { storyId: string; text?: string; reaction?: string }) =>
      api(`/stories/${storyId}/replies`, { method: 'POST', json: { text, reaction }, schema: z.object({ message: Message }) }),
  });
}

export function useDeleteStory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (storyId: string) => api(`/stories/${storyId}`, { method: 'DELETE' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: storyKeys.all }),
  });
}
