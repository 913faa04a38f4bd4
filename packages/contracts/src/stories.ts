import { z } from 'zod';
import { User } from './accounts.ts';
import { Id } from './common.ts';
import { MessageText } from './messaging.ts';

/** Stories (API.md "Stories"; docs/stories.md). */

export const StoryAudience = z.enum(['friends', 'close_friends', 'followers']);
export type StoryAudience = z.infer<typeof StoryAudience>;

/** `expired`: only the author sees it (their archive). */
export const StoryStatus = z.enum(['processing', 'ready', 'failed', 'expired']);

export const StoryCaption = z.string().max(200);

export const Story = z.object({
  id: z.string(),
  author: User,
  mediaType: z.enum(['image', 'video']),
  /** The picture (image) or the HLS playlist (video); served through an authorising route. */
  mediaUrl: z.string().nullable(),
  hlsUrl: z.string().nullable(),
  posterUrl: z.string().nullable(),
  caption: z.string(),
  audience: StoryAudience,
  createdAt: z.string(),
  expiresAt: z.string(),
  status: StoryStatus,
  durationMs: z.number().int().nullable(),
  viewer: z.object({ seen: z.boolean() }),
  /** How many people have seen it: the author's eyes only (null for everyone else). */
  viewCount: z.number().int().nullable(),
});
export type Story = z.infer<typeof Story>;

export const StoryResult = z.object({ story: Story });

/** The multipart fields beside `file`. */
export const StoryFields = z.object({ audience: StoryAudience.optional(), caption: StoryCaption.optional() });
/** JSON body: one of one's own clips posted to one's story. */
export const CreateStoryFromVideoBody = z.object({ videoId: Id, audience: StoryAudience.optional(), caption: StoryCaption.optional() }).strict();

export const StoryTrayEntry = z.object({ user: User, stories: z.array(Story), allSeen: z.boolean() });
export const StoryTray = z.object({ items: z.array(StoryTrayEntry), nextCursor: z.null() });

export const StoryReaction = z.enum(['❤️', '😂', '😮', '😢', '👏', '🔥']);
export const StoryViewer = z.object({ user: User, viewedAt: z.string(), reaction: z.string().nullable() });

export const StoryReplyBody = z
  .object({ text: MessageText.optional(), reaction: StoryReaction.optional() })
  .strict()
  .refine((b) => b.text !== undefined || b.reaction !== undefined, { message: 'a reply needs text or a reaction', path: ['text'] });

/** The card of a story shared into a chat (a reply carries one); unavailable once it expires or is deleted. */
export const StoryCard = z.object({
  story: z.object({ id: z.string(), author: User, mediaType: z.enum(['image', 'video']), posterUrl: z.string().nullable(), caption: z.string(), expiresAt: z.string() }),
});
