import { befriend } from './graph-helpers.ts';
import type { MadeUser, TestServer } from './harness.ts';
import { makeClip, uploadClip, waitForVideo } from './media-fixtures.ts';

/**
 * A small world for tests that throw bad input at every route: `a` has two friends (so lists
 * have second pages), a direct conversation with messages, a group, a ready clip with
 * comments, and a cursor from each of several lists (for replaying on the wrong list).
 */
export interface World {
  a: MadeUser;
  b: MadeUser;
  c: MadeUser;
  conversationId: string;
  videoId: string;
  commentId: string;
  /** Valid second-page cursors, given to `a`, by the list they came from. */
  cursors: Record<string, string>;
}

async function ok(res: Promise<{ status: number; body: any }>, what: string) {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function seedWorld(s: TestServer): Promise<World> {
  const [a, b, c] = await Promise.all([s.make.user(), s.make.user(), s.make.user()]);
  await befriend(s, a, b);
  await befriend(s, a, c);
  const direct = await ok(s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } }), 'direct conversation');
  await ok(s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id, c.id], title: 'Group' } }), 'group');
  const conversationId = direct.conversation.id as string;
  for (let i = 0; i < 3; i++) {
    await ok(s.api('POST', `/conversations/${conversationId}/messages`, { token: a.token, body: { clientMsgId: `seed-${i}`, text: `hello ${i}` } }), 'message');
  }
  const upload = await ok(uploadClip(s, a.token, makeClip(), { caption: 'seed clip #loop', visibility: 'public' }), 'upload');
  const videoId = upload.video.id as string;
  await waitForVideo(s, a.token, videoId);
  const comment = await ok(s.api('POST', `/videos/${videoId}/comments`, { token: b.token, body: { text: 'first' } }), 'comment');
  await ok(s.api('POST', `/videos/${videoId}/comments`, { token: c.token, body: { text: 'second' } }), 'comment');

  const cursorOf = async (path: string) => {
    const body = await ok(s.api('GET', path, { token: a.token }), path);
    if (!body.nextCursor) throw new Error(`${path} gave no next cursor`);
    return body.nextCursor as string;
  };
  const cursors = {
    messages: await cursorOf(`/conversations/${conversationId}/messages?limit=1`),
    conversations: await cursorOf('/conversations?limit=1'),
    followers: await cursorOf(`/users/${a.id}/followers?limit=1`),
    comments: await cursorOf(`/videos/${videoId}/comments?limit=1`),
  };
  return { a, b, c, conversationId, videoId, commentId: comment.comment.id, cursors };
}
