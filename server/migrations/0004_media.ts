import { type Kysely, sql } from 'kysely';

// Media: short videos, resumable uploads, engagement (likes, saves, comments, views),
// append-only watch events — and the durable job queue that transcodes the videos.
export async function up(db: Kysely<any>): Promise<void> {
  // The durable job queue. A worker claims a row with FOR UPDATE SKIP LOCKED and holds a
  // lease it renews while working; a row whose lease ran out belongs to a dead worker and is
  // claimed again. `failed` rows stay, with the reason, for people to see.
  await sql`
    CREATE TABLE jobs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
      attempts int NOT NULL DEFAULT 0,
      max_attempts int NOT NULL DEFAULT 5,
      run_at timestamptz NOT NULL DEFAULT now(),
      locked_by text,
      lease_until timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'queued'`.execute(db);
  await sql`CREATE INDEX jobs_leases ON jobs (lease_until) WHERE status = 'running'`.execute(db);

  await sql`
    CREATE TABLE videos (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      author_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      caption text NOT NULL DEFAULT '' CHECK (char_length(caption) <= 2200),
      entities jsonb NOT NULL DEFAULT '[]',
      visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'friends', 'private')),
      comments_enabled boolean NOT NULL DEFAULT true,
      status text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'ready', 'failed')),
      failure_reason text,
      progress int NOT NULL DEFAULT 0,
      duration_ms int NOT NULL DEFAULT 0,
      width int NOT NULL DEFAULT 0,
      height int NOT NULL DEFAULT 0,
      has_audio boolean NOT NULL DEFAULT false,
      source_format text NOT NULL DEFAULT 'mov',
      source_bytes bigint NOT NULL DEFAULT 0,
      media_token text NOT NULL,
      renditions jsonb NOT NULL DEFAULT '[]',
      has_poster boolean NOT NULL DEFAULT false,
      likes_count bigint NOT NULL DEFAULT 0,
      saves_count bigint NOT NULL DEFAULT 0,
      comments_count bigint NOT NULL DEFAULT 0,
      shares_count bigint NOT NULL DEFAULT 0,
      views_count bigint NOT NULL DEFAULT 0,
      impressions_count bigint NOT NULL DEFAULT 0,
      -- log(engagement) + created_epoch / decay: a time-decayed score that never needs a
      -- batch recompute, because older clips fall behind by construction (see docs/feed.md).
      hot_score double precision NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      ready_at timestamptz
    )`.execute(db);
  // Profiles and the following/friends feeds: an author's clips, newest first.
  await sql`CREATE INDEX videos_author_recent ON videos (author_id, created_at DESC, id DESC) WHERE status = 'ready'`.execute(db);
  // For You candidates: the hottest public clips, and the freshest ones (impression budget).
  await sql`CREATE INDEX videos_public_hot ON videos (hot_score DESC, id DESC) WHERE status = 'ready' AND visibility = 'public'`.execute(db);
  await sql`CREATE INDEX videos_public_fresh ON videos (created_at DESC, id DESC) WHERE status = 'ready' AND visibility = 'public'`.execute(db);
  await sql`CREATE INDEX videos_author_created ON videos (author_id, created_at)`.execute(db);
  // The score follows the counters in the same row update, so concurrent likes can never
  // leave it stale. Weights: a share or comment says more than a like, a view least.
  await sql`
    CREATE FUNCTION videos_hot_score() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.hot_score := ln(1 + NEW.likes_count + 2 * NEW.comments_count + 3 * NEW.shares_count
                           + 2 * NEW.saves_count + 0.2 * NEW.views_count)
                       + extract(epoch FROM NEW.created_at) / 43200.0;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER videos_hot_score BEFORE INSERT OR UPDATE OF likes_count, comments_count, shares_count, saves_count, views_count
    ON videos FOR EACH ROW EXECUTE FUNCTION videos_hot_score()`.execute(db);

  await sql`
    CREATE TABLE video_hashtags (
      tag text NOT NULL,
      video_id bigint NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      PRIMARY KEY (tag, video_id)
    )`.execute(db);
  await sql`CREATE INDEX video_hashtags_video ON video_hashtags (video_id)`.execute(db);

  await sql`
    CREATE TABLE uploads (
      id text PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      length bigint NOT NULL,
      upload_offset bigint NOT NULL DEFAULT 0,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX uploads_user ON uploads (user_id, created_at)`.execute(db);

  for (const t of ['video_likes', 'video_saves']) {
    await sql`
      CREATE TABLE ${sql.table(t)} (
        video_id bigint NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
        user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (video_id, user_id)
      )`.execute(db);
    await sql`CREATE INDEX ${sql.raw(`${t}_user`)} ON ${sql.table(t)} (user_id, created_at DESC)`.execute(db);
  }

  await sql`
    CREATE TABLE video_comments (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      video_id bigint NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      author_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      parent_id bigint REFERENCES video_comments(id) ON DELETE CASCADE,
      text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 1000),
      likes_count bigint NOT NULL DEFAULT 0,
      replies_count bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX video_comments_top ON video_comments (video_id, created_at DESC, id DESC) WHERE parent_id IS NULL`.execute(db);
  await sql`CREATE INDEX video_comments_replies ON video_comments (parent_id, created_at, id) WHERE parent_id IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE comment_likes (
      comment_id bigint NOT NULL REFERENCES video_comments(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      PRIMARY KEY (comment_id, user_id)
    )`.execute(db);

  // One view per viewer per day; also the "already watched" set For You filters on.
  await sql`
    CREATE TABLE video_views (
      viewer_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      video_id bigint NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      period date NOT NULL,
      PRIMARY KEY (viewer_id, video_id, period)
    )`.execute(db);
  await sql`CREATE INDEX video_views_video ON video_views (video_id)`.execute(db);

  await sql`
    CREATE TABLE video_not_interested (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      video_id bigint NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, video_id)
    )`.execute(db);

  // Append-only event log for the (later) learning ranker: no foreign keys, no updates, so
  // writes stay cheap and the log can be moved to its own store without touching callers.
  await sql`
    CREATE TABLE video_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL,
      video_id bigint NOT NULL,
      type text NOT NULL,
      watched_ms int,
      at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'video_events',
    'video_not_interested',
    'video_views',
    'comment_likes',
    'video_comments',
    'video_saves',
    'video_likes',
    'uploads',
    'video_hashtags',
    'videos',
    'jobs',
  ])
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  await sql`DROP FUNCTION videos_hot_score()`.execute(db);
}
