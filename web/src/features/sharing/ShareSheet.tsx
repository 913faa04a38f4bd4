import type { ShareTarget } from '@loop/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../app/api.ts';
import { useOnline } from '../../app/online.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { IconCheck, IconSearch, IconUsersPlus } from '../../ui/icons.tsx';
import { Sheet } from '../../ui/Sheet.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { SwitchRow } from '../../ui/Switch.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { watchTogether } from '../watch/watch-api.ts';
import { newShareId, targetKey, targetName, useShareTargets, useShareVideo, videoLinkFor } from './sharing-api.ts';
import { useDebounced } from '../../ui/use-debounced.ts';
import './sharing.css';

export interface ShareSheetProps {
  videoId: string;
  open: boolean;
  onClose: () => void;
  /** The clip's public link when the caller knows it (PUBLIC_URL/v/:id). */
  link?: string;
  /** Text to start the note with (a link shared into Loop from another app). */
  initialNote?: string;
}

function TargetAvatar({ target, size }: { target: ShareTarget; size: number }) {
  if (target.kind === 'user') return <Avatar username={target.user.username} name={target.user.displayName || target.user.username} src={target.user.avatarUrl} size={size} />;
  const [a, b] = target.members;
  return (
    <span className="share-group-avatar" style={{ width: size, height: size }} aria-hidden="true">
      {a ? <Avatar username={a.username} name={a.displayName || a.username} src={a.avatarUrl} size={Math.round(size * 0.66)} /> : null}
      {b ? <Avatar username={b.username} name={b.displayName || b.username} src={b.avatarUrl} size={Math.round(size * 0.66)} /> : null}
    </span>
  );
}

/**
 * The share sheet: the people and groups you share with most (ranked by the server), search
 * across friends and conversations, multi-select, an optional note, then one request that
 * sends to each separately (or to a new group). Copy link and the system share sheet below.
 */
export function ShareSheet({ videoId, open, onClose, link, initialNote }: ShareSheetProps) {
  const [q, setQ] = useState('');
  const debounced = useDebounced(q.trim(), 150);
  const [picked, setPicked] = useState<Map<string, ShareTarget>>(new Map());
  const [note, setNote] = useState(initialNote ?? '');
  const [asGroup, setAsGroup] = useState(false);
  // One id per composed share: a retry after a network failure never sends twice.
  const [shareId, setShareId] = useState(newShareId);
  const online = useOnline();
  const toast = useToast();
  const targets = useShareTargets(debounced, open);
  const share = useShareVideo();
  const url = link ?? videoLinkFor(videoId);
  const qc = useQueryClient();
  const navigate = useNavigate();

  useEffect(() => {
    if (!open) return;
    setPicked(new Map());
    setQ('');
    setNote(initialNote ?? '');
    setAsGroup(false);
    setShareId(newShareId());
  }, [open, initialNote]);

  const toggle = (t: ShareTarget) =>
    setPicked((m) => {
      const next = new Map(m);
      if (next.has(targetKey(t))) next.delete(targetKey(t));
      else next.set(targetKey(t), t);
      return next;
    });

  const people = useMemo(() => [...picked.values()].filter((t) => t.kind === 'user'), [picked]);
  const canGroup = people.length >= 2 && people.length === picked.size;

  const send = () => {
    const chosen = [...picked.values()];
    const conversationIds: string[] = [];
    const userIds: string[] = [];
    for (const t of chosen) {
      if (t.kind === 'group') conversationIds.push(t.conversationId);
      else if (t.conversationId && !(asGroup && canGroup)) conversationIds.push(t.conversationId);
      else userIds.push(t.user.id);
    }
    const names = chosen.map(targetName);
    const request = { videoId, conversationIds, userIds, note: note.trim() || undefined, asGroup: asGroup && canGroup, clientShareId: shareId };
    // Optimistic: the sheet closes at once; a failure comes back as a quiet message with a retry.
    onClose();
    toast(
      names.length === 1 ? (
        <>
          Sent to <UserText>{names[0]}</UserText>
        </>
      ) : (
        `Sent to ${names.length} chats`
      ),
      'success',
    );
    share.mutate(request, {
      onError: (err) => toast(`Couldn’t send the clip: ${describeError(err)}`, 'error'),
    });
  };

  // One chat picked that exists already: send the clip there and start watching it together.
  const only = picked.size === 1 ? [...picked.values()][0]! : null;
  const watchIn = only && (only.kind === 'group' || !asGroup) ? only.conversationId : null;
  const sendAndWatch = async (conversationId: string) => {
    onClose();
    try {
      await share.mutateAsync({ videoId, conversationIds: [conversationId], userIds: [], note: note.trim() || undefined, clientShareId: shareId });
      await watchTogether(qc, conversationId, videoId);
      navigate(`/inbox/${conversationId}?watch=1`);
    } catch (err) {
      toast(`Couldn’t start watching together: ${describeError(err)}`, 'error');
    }
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      toast('Link copied', 'success');
    } catch {
      toast(`Copy this link: ${url}`, 'info');
    }
  };
  const canSystemShare = typeof navigator !== 'undefined' && typeof navigator.share === 'function';
  const systemShare = () => navigator.share({ url, title: 'A clip on Loop' }).catch(() => {});

  const items = targets.data?.items ?? [];
  const searching = debounced.length > 0;

  return (
    <Sheet open={open} onClose={onClose} title="Send to">
      <div className="share-sheet" data-testid="share-sheet">
        <label className="share-search">
          <IconSearch size={18} />
          <input type="search" placeholder="Search friends and chats" aria-label="Search friends and chats" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>

        {targets.data === undefined && targets.isError ? (
          <div className="share-state" role="alert">
            <p>{describeError(targets.error)}</p>
            <Button onClick={() => void targets.refetch()} loading={targets.isFetching}>
              Try again
            </Button>
          </div>
        ) : targets.data === undefined && targets.fetchStatus === 'paused' ? (
          <div className="share-state">You’re offline. Your friends will show up here once you’re back.</div>
        ) : targets.data === undefined ? (
          <div className="share-grid" role="status" aria-busy="true" aria-label="Loading recipients">
            {Array.from({ length: 8 }, (_, i) => (
              <div className="share-tile" key={i}>
                <Skeleton circle width={56} height={56} />
                <Skeleton width={52} height={12} />
              </div>
            ))}
          </div>
        ) : items.length === 0 ? (
          <div className="share-state">
            {searching ? (
              <p>
                No friends or chats match “<UserText>{debounced}</UserText>”.
              </p>
            ) : (
              <>
                <p>Add friends to send them clips. You can still copy the link.</p>
                <ButtonLink to="/search" variant="secondary">
                  <IconUsersPlus size={18} /> Find friends
                </ButtonLink>
              </>
            )}
          </div>
        ) : (
          <ul className={`share-grid${searching ? ' share-grid--list' : ''}`} aria-label="Recipients">
            {items.map((t) => {
              const on = picked.has(targetKey(t));
              return (
                <li key={targetKey(t)}>
                  <button type="button" className="share-tile" aria-pressed={on} onClick={() => toggle(t)}>
                    <span className="share-tile__avatar">
                      <TargetAvatar target={t} size={56} />
                      {on ? (
                        <span className="share-tile__check" aria-hidden="true">
                          <IconCheck size={14} />
                        </span>
                      ) : null}
                    </span>
                    <span className="share-tile__name">
                      <UserText>{targetName(t)}</UserText>
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}

        {picked.size > 0 ? (
          <div className="share-compose">
            <input
              className="share-note"
              placeholder="Add a note (optional)"
              aria-label="Note"
              maxLength={2000}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
            {canGroup ? <SwitchRow label="Send as a new group" hint={`One chat with all ${people.length}`} checked={asGroup} onChange={setAsGroup} /> : null}
            <Button variant="primary" block size="lg" onClick={send} disabled={!online}>
              {online ? (picked.size === 1 || (asGroup && canGroup) ? 'Send' : `Send separately (${picked.size})`) : 'Offline — can’t send yet'}
            </Button>
            {watchIn && online ? (
              <Button block onClick={() => void sendAndWatch(watchIn)}>
                Send and watch together
              </Button>
            ) : null}
          </div>
        ) : null}

        <div className="share-actions">
          <Button onClick={() => void copy()}>Copy link</Button>
          {canSystemShare ? <Button onClick={() => void systemShare()}>Share via…</Button> : null}
        </div>
      </div>
    </Sheet>
  );
}
