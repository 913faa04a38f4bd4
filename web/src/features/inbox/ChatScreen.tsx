import { EDIT_WINDOW_MS, type Message } from '@loop/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, Fragment, type ReactNode, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, describeError } from '../../app/api.ts';
import { QueryView } from '../../app/query-view.tsx';
import { useOnline } from '../../app/online.ts';
import { realtime, useRealtime, useRealtimeFrames, useRealtimeStatus } from '../../app/realtime/socket.ts';
import { useMe } from '../../app/session.ts';
import { ShareCard } from '../sharing/ShareCard.tsx';
import { WatchLayout, WatchTogetherButton } from '../watch/WatchTogether.tsx';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { IconInbox, IconSearch } from '../../ui/icons.tsx';
import { Page, TopBar, useDocumentTitle } from '../../ui/Page.tsx';
import { useMediaQuery, WIDE_LAYOUT } from '../../ui/use-media-query.ts';
import { isolated, UserText } from '../../ui/UserText.tsx';
import { UserRowSkeletons } from '../accounts/UserRow.tsx';
import { ChatSearch } from './ChatSearch.tsx';
import { formatExact, formatSeparator, needsTimeSeparator, seenMarkers } from './chat-layout.ts';
import { chatOutbox, usePendingSends, useQueuedConversation } from './chat-outbox.ts';
import { acceptRequest, type Conversation, declineRequest, editMessage, fetchHistory, react, unsendMessage, useConversation } from './inbox-api.ts';
import { conversationName, InboxSplit } from './InboxScreen.tsx';
import './inbox.css';
import { AvatarOrLive } from '../live/LiveNow.tsx';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/g;

/** Message text as text; only http(s) links become links. */
function Linkified({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_PATTERN)) {
    parts.push(text.slice(last, m.index));
    parts.push(
      <a key={m.index} href={m[0]} target="_blank" rel="noopener noreferrer">
        {m[0]}
      </a>,
    );
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

/** "Ana, Ben": each name isolated on its own, so one cannot reorder the next. */
function Names({ people }: { people: ReadonlyArray<{ id: string; displayName: string }> }) {
  return people.map((p, k) => (
    <Fragment key={p.id}>
      {k > 0 ? ', ' : ''}
      <UserText>{p.displayName}</UserText>
    </Fragment>
  ));
}

const HEART = '❤️';
/** Pages of 100 read to bring a search result into view: 4,000 messages back at most. */
const MAX_REVEAL_PAGES = 40;

export function ChatScreen() {
  const { id = '' } = useParams();
  const conversation = useConversation(id);
  // Opened offline: the chat as it was when its queued messages were written, until it loads.
  const queued = useQueuedConversation(id);
  const wide = useMediaQuery(WIDE_LAYOUT);
  if (conversation.data === undefined && queued && (conversation.fetchStatus === 'paused' || conversation.isError)) {
    return (
      <InboxSplit activeId={id}>
        <Chat key={queued.id} initial={queued} />
      </InboxSplit>
    );
  }
  // Until the chat is open: a bar with the way back to the Inbox (phones), then loading or what went wrong.
  const frame = (content: ReactNode) => (
    <>
      <TopBar title="Chat" back={!wide} backTo="/inbox" />
      {content}
    </>
  );
  return (
    <InboxSplit activeId={id}>
      <QueryView
        query={conversation}
        skeleton={frame(<UserRowSkeletons count={3} />)}
        renderError={(err) =>
          frame(
            err instanceof ApiError && (err.status === 404 || err.status === 400) ? (
              <EmptyState
                icon={<IconInbox size={32} />}
                title="This chat isn’t available"
                action={
                  <ButtonLink to="/inbox" variant="primary">
                    Back to Inbox
                  </ButtonLink>
                }
              >
                It may have been deleted, or you’re no longer in it.
              </EmptyState>
            ) : (
              <ErrorState title="Couldn’t open this chat" message={describeError(err)} onRetry={() => void conversation.refetch()} retrying={conversation.isFetching} />
            ),
          )
        }
      >
        {(c) => <Chat key={c.id} initial={c} />}
      </QueryView>
    </InboxSplit>
  );
}

function Chat({ initial }: { initial: Conversation }) {
  const me = useMe().user;
  const online = useOnline();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const status = useRealtimeStatus();
  const wide = useMediaQuery(WIDE_LAYOUT);
  const [conv, setConv] = useState(initial);
  const [messages, setMessages] = useState<Map<number, Message>>(new Map());
  const [oldest, setOldest] = useState<number | null>(null);
  const [hasOlder, setHasOlder] = useState(true);
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [text, setText] = useState('');
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<Message | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  /** A search result to bring into view once it is rendered. */
  const [revealing, setRevealing] = useState<number | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const typingSentAt = useRef(0);
  const id = conv.id;

  const merge = useCallback((items: Message[]) => {
    setMessages((prev) => {
      const next = new Map(prev);
      for (const m of items) next.set(m.seq, m);
      return next;
    });
    for (const m of items) chatOutbox.noteSeq(m.conversationId, m.seq);
  }, []);

  const loadLatest = useCallback(async () => {
    const page = await fetchHistory(id);
    merge(page.items);
    setOldest((o) => Math.min(o ?? Number.POSITIVE_INFINITY, page.items[0]?.seq ?? 1));
    if (!page.nextCursor) setHasOlder(false);
  }, [id, merge]);

  useRealtime();
  // Offline (an app opened from the service worker's shell) there is no history to load: what is
  // queued shows, and the history comes when the device is back online.
  useEffect(() => {
    if (online) void loadLatest().catch((e) => setError(describeError(e)));
  }, [loadLatest, online]);

  const loadOlder = useCallback(async () => {
    if (!hasOlder || oldest === null || oldest <= 1) return setHasOlder(false);
    const list = listRef.current;
    const before = list ? list.scrollHeight - list.scrollTop : 0;
    const page = await fetchHistory(id, oldest);
    merge(page.items);
    setOldest(page.items[0]?.seq ?? oldest);
    if (!page.nextCursor) setHasOlder(false);
    // Keep what the person was looking at in place.
    requestAnimationFrame(() => {
      if (list) list.scrollTop = list.scrollHeight - before;
    });
  }, [hasOlder, oldest, id, merge]);

  /** Shows message `seq` (a search result): loads the history back to it, then scrolls to it and marks it for a moment. */
  const reveal = useCallback(
    async (seq: number) => {
      setSearching(false);
      let from = oldest ?? Number.POSITIVE_INFINITY;
      let more = hasOlder;
      try {
        for (let pages = 0; from > seq && more; pages++) {
          if (pages >= MAX_REVEAL_PAGES) return setError('That message is too far back to show here.');
          const page = await fetchHistory(id, from, 100);
          merge(page.items);
          from = page.items[0]?.seq ?? from;
          more = page.nextCursor !== null;
        }
      } catch (e) {
        return setError(describeError(e));
      } finally {
        setOldest(from);
        setHasOlder(more && from > 1);
      }
      setRevealing(seq);
    },
    [oldest, hasOlder, id, merge],
  );

  useRealtimeFrames((f) => {
    if (f.type === 'message' && f.message.conversationId === id) {
      merge([f.message]);
      setTyping((t) => {
        const { [f.message.senderId]: _gone, ...rest } = t;
        return rest;
      });
    } else if (f.type === 'message.updated' && f.message.conversationId === id) merge([f.message]);
    else if (f.type === 'typing' && f.conversationId === id) setTyping((t) => ({ ...t, [f.userId]: Date.now() + f.expiresInMs }));
    else if (f.type === 'read' && f.conversationId === id)
      setConv((c) => ({ ...c, members: c.members.map((m) => (m.id === f.userId && m.readSeq !== null ? { ...m, readSeq: Math.max(m.readSeq, f.seq) } : m)) }));
    else if (f.type === 'conversation.updated' && f.conversation.id === id) setConv(f.conversation);
    else if (f.type === 'resync') void loadLatest();
    else if (f.type === 'conversation.removed' && f.conversationId === id) navigate('/inbox', { replace: true });
  });

  // Typing indicators expire on their own.
  useEffect(() => {
    const t = setInterval(() => setTyping((cur) => Object.fromEntries(Object.entries(cur).filter(([, until]) => until > Date.now()))), 1000);
    return () => clearInterval(t);
  }, []);

  const sorted = [...messages.values()].sort((a, b) => a.seq - b.seq);
  const lastSeq = sorted[sorted.length - 1]?.seq ?? 0;
  const myReadSeq = conv.members.find((m) => m.id === me.id)?.readSeq ?? 0;

  // Mark what is on screen as read.
  useEffect(() => {
    if (lastSeq > (myReadSeq ?? 0) && status === 'online' && document.visibilityState === 'visible') {
      realtime.send({ type: 'read', conversationId: id, seq: lastSeq });
      setConv((c) => ({ ...c, members: c.members.map((m) => (m.id === me.id ? { ...m, readSeq: lastSeq } : m)) }));
      void qc.invalidateQueries({ queryKey: ['conversations'] });
    }
  }, [lastSeq, myReadSeq, status, id, me.id, qc]);

  const pending = usePendingSends(id);
  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && stickToBottom.current) list.scrollTop = list.scrollHeight;
  });
  // After the effect above: a search result in view wins over sticking to the bottom.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again when new messages render, until the result is among them
  useLayoutEffect(() => {
    if (revealing === null) return;
    const row = listRef.current?.querySelector<HTMLElement>(`[data-seq="${revealing}"]`);
    if (!row) return; // not rendered yet
    stickToBottom.current = false;
    row.scrollIntoView({ block: 'center' });
    row.classList.add('bubble-row--found');
    setTimeout(() => row.classList.remove('bubble-row--found'), 2000);
    setRevealing(null);
  }, [revealing, messages]);

  const onScroll = () => {
    const list = listRef.current;
    if (!list) return;
    stickToBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    if (list.scrollTop < 40 && hasOlder) void loadOlder();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setError(null);
    if (editing) {
      try {
        merge([(await editMessage(id, editing.seq, body)).message]);
        setEditing(null);
        setText('');
      } catch (err) {
        setError(describeError(err));
      }
      return;
    }
    stickToBottom.current = true;
    chatOutbox.send(conv, body, replyTo?.seq);
    setReplyTo(null);
    setText('');
  };

  const onType = (value: string) => {
    setText(value);
    if (Date.now() - typingSentAt.current > 2000 && value) {
      typingSentAt.current = Date.now();
      realtime.send({ type: 'typing', conversationId: id });
    }
  };

  const act = async (fn: () => Promise<{ message: Message }>) => {
    try {
      merge([(await fn()).message]);
    } catch (err) {
      setError(describeError(err));
    }
    setSelected(null);
  };

  const others = conv.members.filter((m) => m.id !== me.id);
  const typers = others.filter((m) => (typing[m.id] ?? 0) > Date.now());
  const seen = seenMarkers(sorted, others);
  const nameOf = (userId: string) => conv.members.find((m) => m.id === userId)?.displayName ?? 'Someone';
  const title = conversationName(conv, me.id);
  useDocumentTitle(isolated(title));

  return (
    <>
      {/* On wide screens the list is beside the chat: no way "back" is needed. */}
      <TopBar
        title={<UserText>{title}</UserText>}
        back={!wide}
        backTo="/inbox"
        end={
          <>
            {/* The other person's ringed avatar while they are on air (a link to their live). */}
            {conv.kind === 'direct' && others[0] ? (
              <AvatarOrLive user={others[0]} size={30}>
                {null}
              </AvatarOrLive>
            ) : null}
            <Button variant="ghost" icon aria-label="Search this chat" aria-pressed={searching} onClick={() => setSearching((v) => !v)}>
              <IconSearch size={24} />
            </Button>
          </>
        }
      />
      <Page flush>
        <WatchLayout conversation={conv}>
          {searching && <ChatSearch conversationId={id} nameOf={nameOf} onPick={(seq) => void reveal(seq)} onClose={() => setSearching(false)} />}
          {status !== 'online' && (
            <p className="chat__status" role="status">
              {status === 'offline' ? 'Messages you write now will send when you’re back online.' : 'Connecting…'}
            </p>
          )}
          {conv.state === 'request' && (
            <div className="chat__request">
              <p>
                <strong>
                  <UserText>{others[0]?.displayName ?? 'Someone'}</UserText>
                </strong>{' '}
                wants to message you. They won’t know you’ve seen it until you accept.
              </p>
              <div className="chat__request-actions">
                <Button onClick={async () => setConv((await acceptRequest(id)).conversation)}>Accept</Button>
                <Button
                  variant="secondary"
                  onClick={async () => {
                    await declineRequest(id);
                    void qc.invalidateQueries({ queryKey: ['conversations'] });
                    navigate('/inbox', { replace: true });
                  }}
                >
                  Decline
                </Button>
              </div>
            </div>
          )}
          <div className="chat__messages" ref={listRef} onScroll={onScroll} role="log" aria-live="polite">
            {hasOlder && sorted.length > 0 && (
              <button type="button" className="chat__older" onClick={() => void loadOlder()}>
                Load earlier messages
              </button>
            )}
            {sorted.map((m, i) => {
              const mine = m.senderId === me.id;
              const sentAt = new Date(m.createdAt);
              const readers = seen.get(m.seq);
              const canEdit = mine && !m.deletedAt && m.text !== null && Date.now() - new Date(m.createdAt).getTime() < EDIT_WINDOW_MS;
              const repliedTo = m.replyToSeq ? messages.get(m.replyToSeq) : undefined;
              const iHeart = m.reactions.find((r) => r.emoji === HEART)?.userIds.includes(me.id) ?? false;
              return (
                <Fragment key={m.seq}>
                  {needsTimeSeparator(sorted[i - 1], m) && (
                    <p className="chat__time">
                      <time dateTime={m.createdAt}>{formatSeparator(sentAt)}</time>
                    </p>
                  )}
                  <div className={`bubble-row${mine ? ' bubble-row--mine' : ''}`} data-seq={m.seq} title={formatExact(sentAt)}>
                    {m.share && !m.deletedAt && (
                      <ShareCard
                        share={m.share}
                        messageId={m.id}
                        onReply={() => {
                          setReplyTo(m);
                          setSelected(null);
                        }}
                      />
                    )}
                    {m.share?.type === 'video' && m.share.status === 'available' && !m.deletedAt && <WatchTogetherButton conversationId={id} videoId={m.share.id} />}
                    {(m.text !== null || m.deletedAt || !m.share) && (
                    <button type="button" className={`bubble${m.deletedAt ? ' bubble--deleted' : ''}`} onClick={() => setSelected(selected === m.seq ? null : m.seq)} aria-expanded={selected === m.seq}>
                      {!mine && conv.kind === 'group' && (
                        <span className="bubble__from">
                          <UserText>{nameOf(m.senderId)}</UserText>
                        </span>
                      )}
                      {m.replyToSeq && (
                        <span className="bubble__reply">
                          ↩ {repliedTo?.share && !repliedTo.deletedAt ? <ShareCard share={repliedTo.share} quoted /> : <UserText>{repliedTo?.text ?? 'Earlier message'}</UserText>}
                        </span>
                      )}
                      {m.deletedAt ? (
                        <em>Message unsent</em>
                      ) : (
                        <span className="bubble__text user-text">{m.text ? <Linkified text={m.text} /> : m.share ? `Shared ${m.share.type}${m.share.status === 'unavailable' ? ' (unavailable)' : ''}` : ''}</span>
                      )}
                      {m.editedAt && !m.deletedAt && <span className="bubble__edited">edited</span>}
                    </button>
                    )}
                    {m.reactions.length > 0 && (
                      <span className="bubble__reactions" title="Reactions">
                        {m.reactions.map((r) => `${r.emoji}${r.count > 1 ? r.count : ''}`).join(' ')}
                      </span>
                    )}
                  </div>
                  {readers && (
                    <p className={`chat__seen${mine ? ' chat__seen--mine' : ''}`} data-seen-seq={m.seq}>
                      {conv.kind === 'group' ? (
                        <>
                          Seen by <Names people={readers} />
                        </>
                      ) : (
                        'Seen'
                      )}
                    </p>
                  )}
                  {selected === m.seq && (
                    <p className={`bubble-time${mine ? ' bubble-time--mine' : ''}`}>
                      <time dateTime={m.createdAt}>{formatExact(sentAt)}</time>
                    </p>
                  )}
                  {selected === m.seq && !m.deletedAt && (
                    <div className={`bubble-actions${mine ? ' bubble-actions--mine' : ''}`}>
                      <Button variant="secondary" onClick={() => act(() => react(id, m.seq, HEART, !iHeart))}>
                        {iHeart ? 'Remove ❤️' : '❤️'}
                      </Button>
                      <Button variant="secondary" onClick={() => {
                          setReplyTo(m);
                          setSelected(null);
                        }}>
                        Reply
                      </Button>
                      {canEdit && (
                        <Button variant="secondary" onClick={() => {
                            setEditing(m);
                            setText(m.text ?? '');
                            setSelected(null);
                          }}>
                          Edit
                        </Button>
                      )}
                      {mine && (
                        <Button variant="secondary" onClick={() => act(() => unsendMessage(id, m.seq))}>
                          Unsend
                        </Button>
                      )}
                    </div>
                  )}
                </Fragment>
              );
            })}
            {pending.map((p) => (
              <div key={p.clientMsgId} className="bubble-row bubble-row--mine bubble-row--pending">
                <span className="bubble">
                  <span className="bubble__text user-text">{p.text}</span>
                  <span className="bubble__edited">{p.failed ? `Not sent: ${p.failed}` : 'Sending…'}</span>
                </span>
              </div>
            ))}
            {typers.length > 0 && (
              <p className="chat__typing">
                <Names people={typers} /> is typing…
              </p>
            )}
          </div>
          {error && (
            <p className="chat__error" role="alert">
              {error}
            </p>
          )}
          <form className="composer" onSubmit={submit}>
            {(replyTo || editing) && (
              <div className="composer__context">
                <span className="composer__quote">
                  {editing ? (
                    'Editing message'
                  ) : (
                    <>
                      Replying to <UserText>{nameOf(replyTo!.senderId)}</UserText>: <UserText>{replyTo!.text ?? (replyTo!.share ? 'a shared clip' : '')}</UserText>
                    </>
                  )}
                </span>
                <button type="button" aria-label="Cancel" onClick={() => {
                  if (editing) setText('');
                  setReplyTo(null);
                  setEditing(null);
                }}>
                  ✕
                </button>
              </div>
            )}
            <div className="composer__row">
              <textarea aria-label="Message" placeholder="Message…" rows={1} maxLength={4000} value={text} onChange={(e) => onType(e.target.value)} onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  void submit(e);
                }
              }} />
              <Button type="submit" disabled={!text.trim()}>
                {editing ? 'Save' : 'Send'}
              </Button>
            </div>
          </form>
        </WatchLayout>
      </Page>
    </>
  );
}

