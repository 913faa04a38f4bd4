import type { User } from '@loop/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../app/api.ts';
import { QueryView } from '../../app/query-view.tsx';
import { useMe } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { IconClose, IconFriends } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { SearchBox } from '../../ui/SearchBox.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { useDebounced } from '../../ui/use-debounced.ts';
import { useUserSearch } from '../accounts/accounts-api.ts';
import { UserRowSkeletons } from '../accounts/UserRow.tsx';
import { createConversation, friendsOf } from './inbox-api.ts';
import './inbox.css';
import '../accounts/search.css';

type Person = Pick<User, 'id' | 'username' | 'displayName' | 'avatarUrl'>;

function PickList({ people, picked, onToggle, label }: { people: Person[]; picked: Map<string, Person>; onToggle: (p: Person, on: boolean) => void; label: string }) {
  return (
    <ul className="pick-list" aria-label={label}>
      {people.map((u) => (
        <li key={u.id}>
          <label className="pick-row">
            <input type="checkbox" checked={picked.has(u.id)} onChange={(e) => onToggle(u, e.target.checked)} />
            <Avatar username={u.username} name={u.displayName} src={u.avatarUrl} size={44} decorative />
            <span className="convo-row__text">
              <span className="convo-row__name">
                <UserText>{u.displayName}</UserText>
              </span>
              <span className="convo-row__preview">
                <UserText>@{u.username}</UserText>
              </span>
            </span>
          </label>
        </li>
      ))}
    </ul>
  );
}

/**
 * Pick one person for a chat, or several (and a name) for a group: friends first, and a search
 * over everyone on Loop. Who may be messaged is the server's rule (a non-friend's chat starts as
 * a request on their side; a refusal is shown here).
 */
export function NewChatScreen() {
  const me = useMe().user;
  const navigate = useNavigate();
  const friends = useQuery({ queryKey: ['friends', me.id], queryFn: () => friendsOf(me.id) });
  const [text, setText] = useState('');
  const q = useDebounced(text.trim().replace(/^@/, '').slice(0, 64), 250);
  const search = useUserSearch(q);
  const [picked, setPicked] = useState<Map<string, Person>>(new Map());
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const group = picked.size > 1;

  const toggle = (p: Person, on: boolean) =>
    setPicked((m) => {
      const next = new Map(m);
      if (on) next.set(p.id, p);
      else next.delete(p.id);
      return next;
    });

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const c = await createConversation([...picked.keys()], group ? title.trim() || undefined : undefined);
      navigate(`/inbox/${c.id}`, { replace: true });
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  const found = (search.data?.pages.flatMap((p) => p.items) ?? []).filter((u) => u.id !== me.id);

  return (
    <>
      <TopBar title="New chat" back backTo="/inbox" />
      <Page>
        <div className="new-chat">
          <SearchBox value={text} onChange={setText} placeholder="Search people" label="Search people" maxLength={64} />
          {picked.size > 0 && (
            <ul className="new-chat__picked" aria-label="Chosen">
              {[...picked.values()].map((p) => (
                <li key={p.id}>
                  <button type="button" className="new-chat__chip" onClick={() => toggle(p, false)} aria-label={`Remove ${p.displayName}`}>
                    <UserText>{p.displayName}</UserText>
                    <IconClose size={16} />
                  </button>
                </li>
              ))}
            </ul>
          )}
          {q ? (
            <>
              <h2 className="new-chat__section">People</h2>
              {search.isError && !found.length ? (
                <p className="new-chat__note" role="alert">
                  {describeError(search.error)}
                </p>
              ) : search.isPending ? (
                <UserRowSkeletons count={3} />
              ) : found.length === 0 ? (
                <p className="new-chat__note">
                  No one matches “<UserText>{q}</UserText>”.
                </p>
              ) : (
                <PickList people={found} picked={picked} onToggle={toggle} label="People" />
              )}
              <p className="new-chat__note">People who aren’t your friends get your first message as a request.</p>
            </>
          ) : (
            <>
              <h2 className="new-chat__section">Friends</h2>
              <QueryView query={friends} skeleton={<UserRowSkeletons />} errorTitle="Couldn’t load your friends" compact>
                {(data) =>
                  data.items.length === 0 ? (
                    <EmptyState compact icon={<IconFriends size={32} />} title="No friends yet">
                      Search for anyone above. Friends are people who follow each other.
                    </EmptyState>
                  ) : (
                    <PickList people={data.items} picked={picked} onToggle={toggle} label="Friends" />
                  )
                }
              </QueryView>
            </>
          )}
          {group && <TextField label="Group name" optional value={title} maxLength={80} onChange={(e) => setTitle(e.target.value)} placeholder="Name your group" />}
          {error && (
            <p className="chat__error" role="alert">
              {error}
            </p>
          )}
          <Button variant="primary" block disabled={picked.size === 0} loading={busy} onClick={start}>
            {group ? `Create group (${picked.size + 1})` : 'Chat'}
          </Button>
        </div>
      </Page>
    </>
  );
}
