import { z } from 'zod';
import { User, Relationship } from './accounts.ts';
import { Id } from './common.ts';

/** Graph lists carry each person's relationship to the viewer beside the public user fields. */
export const UserWithRelationship = User.extend({ relationship: Relationship });
export type UserWithRelationship = z.infer<typeof UserWithRelationship>;

export const UserIdParams = z.object({ id: Id });
export const RequesterParams = z.object({ userId: Id });

export const RelationshipResult = z.object({ relationship: Relationship });
export const MuteResult = z.object({ relationship: Relationship, muted: z.boolean() });

export const FollowRequest = z.object({ user: User, requestedAt: z.string() });

/** Someone the viewer blocked (GET /me/blocks), newest block first: the only place they still appear, to be unblocked. */
export const BlockedAccount = z.object({ user: User, blockedAt: z.string() });
export type BlockedAccount = z.infer<typeof BlockedAccount>;

/** At most this many contacts per upload; more → 400. */
export const MAX_CONTACTS_PER_UPLOAD = 2000;

export const ContactKind = z.enum(['phone', 'email']);
export const Contact = z.object({ kind: ContactKind, value: z.string().trim().min(1, 'is required').max(320) });
export const UploadContactsBody = z
  .object({ contacts: z.array(Contact).max(MAX_CONTACTS_PER_UPLOAD, `must have at most ${MAX_CONTACTS_PER_UPLOAD} contacts per upload`) })
  .strict();
export type UploadContactsBody = z.infer<typeof UploadContactsBody>;

export const UploadContactsResult = z.object({
  /** People on Loop in this upload who allow discovery by contacts. */
  matches: z.array(User),
  /** Contacts that were valid phone numbers or emails (after normalisation). */
  accepted: z.number().int(),
  /** Contacts that could not be read as a phone number or an email, and were ignored. */
  invalid: z.number().int(),
});

export const Suggestion = z.object({ user: User, reasons: z.array(z.string()), score: z.number() });
export type Suggestion = z.infer<typeof Suggestion>;

/** Frames pushed on `user:<id>` when someone follows or asks to follow. */
export const FollowFrame = z.object({
  type: z.enum(['follow.request', 'follow.new']),
  user: User,
  relationship: Relationship,
});
export type FollowFrame = z.infer<typeof FollowFrame>;
