import { type Kysely, sql } from 'kysely';

// Stories (docs/stories.md): posts that expire after STORY_TTL_SEC, their views and reactions
// (one row per person), and each person's close-friends list.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE stories (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      author_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      media_type text NOT NULL CHECK (media_type IN ('image', 'video')),
      -- An image story's re-encoded picture; a video story plays a clip of the media pipeline.
      image_key text,
      video_id bigint REFERENCES videos(id) ON DELETE SET NULL,
      -- Whether the clip was uploaded for this story (deleted with it) or is one of the author's own clips.
      owns_video boolean NOT NULL DEFAULT false,
      -- Part of every media URL; replaced when the story expires, so no URL handed out before works after.
      media_token text NOT NULL,
      caption text NOT NULL DEFAULT '',
      audience text NOT NULL CHECK (audience IN ('friends', 'close_friends', 'followers')),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      -- Set by the sweeper once the expired story's media has been moved to the author's archive.
      archived_at timestamptz,
      CHECK ((media_type = 'image') = (image_key IS NOT NULL))
    )`.execute(db);
  // The tray: live stories of a set of authors (author_id = ANY(...) AND expires_at > now()).
  await sql`CREATE INDEX stories_author_live ON stories (author_id, expires_at DESC) INCLUDE (id, created_at)`.execute(db);
  // The sweeper: expired stories not yet archived.
  await sql`CREATE INDEX stories_to_archive ON stories (expires_at) WHERE archived_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE story_views (
      story_id bigint NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
      viewer_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      viewed_at timestamptz NOT NULL DEFAULT now(),
      reaction text,
      PRIMARY KEY (story_id, viewer_id)
    )`.execute(db);
  // The viewers list (newest first) and "how often does this person watch my stories" (closeness).
  await sql`CREATE INDEX story_views_by_time ON story_views (story_id, viewed_at DESC, viewer_id)`.execute(db);
  await sql`CREATE INDEX story_views_viewer ON story_views (viewer_id, viewed_at DESC)`.execute(db);

  await sql`
    CREATE TABLE close_friends (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      friend_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, friend_id),
      CHECK (user_id <> friend_id)
    )`.execute(db);
  // "Whose close friend am I": the tray's close-friends audience.
  await sql`CREATE INDEX close_friends_member ON close_friends (friend_id, user_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE close_friends`.execute(db);
  await sql`DROP TABLE story_views`.execute(db);
  await sql`DROP TABLE stories`.execute(db);
}
