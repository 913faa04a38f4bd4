import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../app/api.ts';
import { QueryView } from '../../app/query-view.tsx';
import { useMe } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { IconFriends } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { UserRowSkeletons } from '../accounts/UserRow.tsx';
import { createConversation, friendsOf } from './inbox-api.ts';
import './inbox.css';

/** Pick one friend for a chat, or several (and a name) for a group. */
export function NewChatScreen() {
  const me = useMe().user;
  const navigate = useNavigate();
  const friends = useQuery({ queryKey: ['friends', me.id], queryFn: () => friendsOf(me.id) });
  const [picked, setPicked] = useState<string[]>([]);
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const group = picked.length > 1;

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const c = await createConversation(picked, group ? title.trim() || undefined : undefined);
      navigate(`/inbox/${c.id}`, { replace: true });
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <>
      <TopBar title="New chat" back backTo="/inbox" />
      <Page>
        <QueryView query={friends} skeleton={<UserRowSkeletons />} errorTitle="Couldn’t load your friends">
          {(data) =>
            data.items.length === 0 ? (
              <EmptyState icon={<IconFriends size={40} />} title="No friends yet">
                Friends are people who follow each other. Follow someone back to chat with them here.
              </EmptyState>
            ) : (
              <>
                <ul className="pick-list">
                  {data.items.map((u) => (
                    <li key={u.id}>
                      <label className="pick-row">
                        <input
                          type="checkbox"
                          checked={picked.includes(u.id)}
                          onChange={(e) => setPicked((p) => (e.target.checked ? [...p, u.id] : p.filter((x) => x !== u.id)))}
                        />
                        <Avatar username={u.username} name={u.displayName} src={u.avatarUrl} size={44} />
                        <span className="convo-row__text">
                          <span className="convo-row__name">{u.displayName}</span>
                          <span className="convo-row__preview">@{u.username}</span>
                        </span>
                      </label>
                    </li>
                  ))}
                </ul>
                {group && (
                  <label className="group-title">
                    Group name
                    <input value={title} maxLength={80} onChange={(e) => setTitle(e.target.value)} placeholder="Name your group" />
                  </label>
                )}
                {error && (
                  <p className="chat__error" role="alert">
                    {error}
                  </p>
                )}
                <Button block disabled={picked.length === 0} loading={busy} onClick={start}>
                  {group ? `Create group (${picked.length + 1})` : 'Chat'}
                </Button>
              </>
            )
          }
        </QueryView>
      </Page>
    </>
  );
}
