import { z } from 'zod';

/** Ids are decimal strings on the wire (bigint identity columns in the database). */
export const Id = z.string().regex(/^[1-9][0-9]{0,18}$/, 'must be an id');

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
