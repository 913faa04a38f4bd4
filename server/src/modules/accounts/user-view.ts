import type { User } from '@loop/contracts';
import type { PublicUserRow } from './accounts.repo.ts';

/** The public `user` object of the API. Other modules build user views through this. */
export function toUserView(row: PublicUserRow): User {
  return {
    id: String(row.id),
    username: row.username,
    displayName: row.display_name,
    bio: row.bio,
    avatarUrl: row.avatar_key ? `/media/${row.avatar_key}` : null,
  };
}
