import type { Video } from '@loop/contracts';
import { useState } from 'react';
import { useLocation } from 'react-router';
import { describeError } from '../../app/api.ts';
import { useSession } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { RelativeTime } from '../../ui/RelativeTime.tsx';
import { Sheet } from '../../ui/Sheet.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { useAddComment, useComments } from './video-api.ts';

/** The comments of a clip in a bottom sheet, with a composer. */
export function CommentsSheet({ video, onClose }: { video: Video; onClose: () => void }) {
  const comments = useComments(video.id, true);
  const add = useAddComment(video);
  const [text, setText] = useState('');
  const signedOut = useSession().status === 'signed-out';
  const location = useLocation();
  const items = comments.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Sheet open onClose={onClose} title="Comments">
      <ul className="comments" aria-label="Comments">
        {comments.isPending ? <li className="comments__empty">Loading…</li> : null}
        {!comments.isPending && items.length === 0 ? <li className="comments__empty">No comments yet. Say something nice.</li> : null}
        {items.map((c) => (
          <li key={c.id} className="comment">
            <Avatar username={c.author.username} name={c.author.displayName} src={c.author.avatarUrl} size={32} />
            <div>
              <div className="comment__head">
                <strong>
                  <UserText>@{c.author.username}</UserText>
                </strong>{' '}
                <RelativeTime iso={c.createdAt} />
              </div>
              <p className="comment__text user-text">{c.text}</p>
              {c.replies > 0 ? <span className="comment__replies">{c.replies} replies</span> : null}
            </div>
          </li>
        ))}
      </ul>
      {signedOut ? (
        <div className="comments__composer">
          <ButtonLink to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} variant="primary" block>
            Log in to comment
          </ButtonLink>
        </div>
      ) : (
        <form
          className="comments__composer"
          onSubmit={(e) => {
            e.preventDefault();
            const t = text.trim();
            if (!t) return;
            add.mutate({ text: t }, { onSuccess: () => setText('') });
          }}
        >
          <input
            className="comments__input"
            aria-label="Add a comment"
            placeholder="Add a comment…"
            maxLength={1000}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <Button type="submit" variant="primary" loading={add.isPending} disabled={!text.trim()}>
            Post
          </Button>
        </form>
      )}
      {add.isError ? <p className="comments__error" role="alert">{describeError(add.error)}</p> : null}
    </Sheet>
  );
}
