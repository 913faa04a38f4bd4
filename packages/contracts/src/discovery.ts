import { z } from 'zod';

/**
 * Discovery (API.md "Discovery and the learning For You"): search across people, clips, hashtags
 * and products, and a page per hashtag.
 */

/** Free text typed by a person: trimmed, 1–100 characters, no control characters (a NUL cannot reach SQL). */
export const SearchText = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(100, 'must be at most 100 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

export const SearchType = z.enum(['users', 'videos', 'hashtags', 'products']);
export type SearchType = z.infer<typeof SearchType>;

export const SearchQuery = z.object({
  q: SearchText,
  type: SearchType.default('videos'),
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

/** A hashtag as a search result: how many clips carrying it the caller may see. */
export const Hashtag = z.object({ tag: z.string(), videos: z.number().int() });
export type Hashtag = z.infer<typeof Hashtag>;

/** `:tag` of /hashtags/:tag/videos: with or without its `#`, any case (stored lower-cased). */
export const HashtagParam = z.object({
  tag: z
    .string()
    .transform((s) => s.replace(/^#/, '').toLowerCase())
    .pipe(z.string().regex(/^[\p{L}\p{N}_]{1,100}$/u, 'must be letters, digits or _ (at most 100)')),
});

export const TrendingHashtagsQuery = z.object({ limit: z.coerce.number().int().min(1).max(50).default(12) });
