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

export const DisplayName = z.string().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters');
export const Bio = z.string().max(300, 'must be at most 300 characters');

/** `YYYY-MM-DD`, a real calendar date in the past. */
export const Birthdate = z.iso.date('must be a date as YYYY-MM-DD').refine((d) => new Date(`${d}T00:00:00Z`).getTime() < Date.now(), 'must be in the past');

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
  email: z.email('must be an email address').max(254).optional(),
  phone: z.string().trim().min(4).max(32).optional(),
});
export type SignupBody = z.infer<typeof SignupBody>;

export const LoginBody = z.object({
  username: z.string().trim().toLowerCase().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(256),
});

export const AuthResult = z.object({ user: User, token: z.string() });

export const Me = z.object({ user: User, settings: Settings, age: z.number().int().nullable() });

export const UpdateProfileBody = z
  .object({ displayName: DisplayName.optional(), bio: Bio.optional() })
  .strict();

export const UpdateSettingsBody = z
  .object({
    privateAccount: z.boolean().optional(),
    dmPolicy: DmPolicy.optional(),
    discoverableByContacts: z.boolean().optional(),
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
