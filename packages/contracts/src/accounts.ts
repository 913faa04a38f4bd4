import { z } from 'zod';

export const USERNAME_PATTERN = /^[a-z0-9_.]{3,24}$/;

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(USERNAME_PATTERN, 'must be 3–24 characters of a–z, 0–9, _ and .');

export const Password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

/**
 * Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder the
 * characters after them: "abc\u202Egnp.exe" shows as "abcexe.png". A name is shown beside other
 * text everywhere, so it may not carry them (the marks U+200E/U+200F reorder nothing and stay).
 */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
export const stripBidiControls = (s: string) => s.replace(BIDI_CONTROLS, '');

export const DisplayName = z
  .string()
  .overwrite(stripBidiControls)
  .trim()
  .min(1, 'must not be empty')
  .max(50, 'must be at most 50 characters');
export const Bio = z.string().max(300, 'must be at most 300 characters');

export const Email = z.email('must be an email address').max(254);
/** Any common notation; the server reads it as E.164 (with the account's region when it has no +country code). */
export const Phone = z.string().trim().min(4, 'must be at least 4 characters').max(32, 'must be at most 32 characters');

/** `YYYY-MM-DD`, a real calendar date in the past and no earlier than 1900 (year 0000 is not a date PostgreSQL stores). */
export const Birthdate = z.iso
  .date('must be a date as YYYY-MM-DD')
  .refine((d) => d >= '1900-01-01', 'must be no earlier than 1900-01-01')
  .refine((d) => new Date(`${d}T00:00:00Z`).getTime() < Date.now(), 'must be in the past');

export const User = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  bio: z.string(),
  avatarUrl: z.string().nullable(),
});
export type User = z.infer<typeof User>;

export const DmPolicy = z.enum(['everyone', 'friends', 'nobody']);
export type DmPolicy = z.infer<typeof DmPolicy>;

export const Settings = z.object({
  privateAccount: z.boolean(),
  dmPolicy: DmPolicy,
  discoverableByContacts: z.boolean(),
  /** How much For You leans toward friends' clips: 0 (not at all, the default) to 1 (friends first). */
  friendsFirst: z.number(),
  /** ISO 3166 region used to read phone numbers written without a country code. */
  region: z.string(),
});
export type Settings = z.infer<typeof Settings>;

export const Relationship = z.object({
  following: z.boolean(),
  followedBy: z.boolean(),
  friends: z.boolean(),
  blocked: z.boolean(),
  requested: z.boolean(),
});
export type Relationship = z.infer<typeof Relationship>;

export const SignupBody = z.object({
  username: Username,
  password: Password,
  displayName: DisplayName.optional(),
  birthdate: Birthdate.optional(),
  email: Email.optional(),
  phone: Phone.optional(),
});
export type SignupBody = z.infer<typeof SignupBody>;

export const LoginBody = z.object({
  username: z.string().trim().toLowerCase().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(256),
});

export const AuthResult = z.object({ user: User, token: z.string() });

/** The signed-in person's own account: `email` and `phone` are theirs alone (never in a public `user`). */
export const Me = z.object({
  user: User,
  settings: Settings,
  age: z.number().int().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
});
export type Me = z.infer<typeof Me>;

/** `POST /me/password`: the new password follows the sign-up rules; every other session ends. */
export const ChangePasswordBody = z
  .object({ currentPassword: z.string().min(1, 'is required').max(256), newPassword: Password })
  .strict();
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

/** `PUT /me/email`, `PUT /me/phone`: add or change the address contact discovery matches. */
export const SetEmailBody = z.object({ email: Email }).strict();
export const SetPhoneBody = z.object({ phone: Phone }).strict();

export const UpdateProfileBody = z
  .object({ displayName: DisplayName.optional(), bio: Bio.optional() })
  .strict();

export const UpdateSettingsBody = z
  .object({
    privateAccount: z.boolean().optional(),
    dmPolicy: DmPolicy.optional(),
    discoverableByContacts: z.boolean().optional(),
    friendsFirst: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
    region: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter region code').optional(),
  })
  .strict();

export const ProfileCounts = z.object({
  followers: z.number().int(),
  following: z.number().int(),
  friends: z.number().int(),
  videos: z.number().int(),
});

/** `privateAccount`: its clips and lists are for approved followers (the app says so instead of an empty grid). */
export const Profile = z.object({ user: User, counts: ProfileCounts, relationship: Relationship, privateAccount: z.boolean() });
export type Profile = z.infer<typeof Profile>;

export const UserSearchQuery = z.object({
  q: z.string().trim().min(1, 'is required').max(64),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
