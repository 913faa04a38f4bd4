import { z } from 'zod';

/** The largest value of a PostgreSQL bigint, the type of every id column. */
export const MAX_ID = '9223372036854775807';

/** Whether a string of 1–19 digits without a leading zero fits a bigint (compared as text: same length, then digits). */
const fitsBigint = (digits: string) => digits.length < MAX_ID.length || digits <= MAX_ID;

/**
 * Ids are decimal strings on the wire (bigint identity columns in the database). One above
 * the bigint range is refused here, so it is a 400 on every route and frame, never a query
 * that PostgreSQL rejects with "out of range".
 */
export const Id = z
  .string()
  .regex(/^[1-9][0-9]{0,18}$/, 'must be an id')
  .refine(fitsBigint, 'must be an id (at most 9223372036854775807)');

/**
 * Why a piece of text cannot be stored, or null when it can: PostgreSQL text holds no NUL
 * (U+0000), and a lone UTF-16 surrogate is not Unicode at all (it would be stored as U+FFFD,
 * silently changed). The server refuses both in every path, query and JSON body string.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export function unstorableText(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode (it has an unpaired surrogate)';
  return null;
}

/** `?cursor=&limit=` on every list route; limit ≤ 100. */
export const PageQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** `{ items, nextCursor }` — the shape of every list answer. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** RFC 9457 problem details, with Loop's stable `code`. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;
