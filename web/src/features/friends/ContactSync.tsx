import type { User } from '@loop/contracts';
import { useRef, useState } from 'react';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { IconUsersPlus } from '../../ui/icons.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { type ImportedContact, parseContactsFile } from './contacts-import.ts';
import { useDeleteContacts, useUploadContacts } from './friends-api.ts';
import { FollowButton } from './FollowButton.tsx';
import { PersonRow } from './PersonRow.tsx';

interface ContactsManager {
  select(props: string[], opts: { multiple: boolean }): Promise<Array<{ tel?: string[]; email?: string[] }>>;
}

/** The Contact Picker API (Chrome on Android); elsewhere, a .vcf or .csv file read in the browser. */
function contactPicker(): ContactsManager | null {
  const nav = navigator as Navigator & { contacts?: ContactsManager };
  return 'contacts' in nav && nav.contacts && 'ContactsManager' in window ? nav.contacts : null;
}

/** "Find friends from your contacts": only numbers and emails are sent, and the server keeps only hashes. */
export function ContactSync() {
  const upload = useUploadContacts();
  const forget = useDeleteContacts();
  const toast = useToast();
  const file = useRef<HTMLInputElement>(null);
  const [found, setFound] = useState<User[] | null>(null);
  const picker = contactPicker();

  async function send(contacts: ImportedContact[]) {
    if (contacts.length === 0) {
      toast('No phone numbers or emails found in that file.', 'error');
      return;
    }
    try {
      const res = await upload.mutateAsync(contacts);
      setFound(res.matches);
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  async function pick() {
    if (!picker) return;
    try {
      const chosen = await picker.select(['tel', 'email'], { multiple: true });
      await send(
        chosen.flatMap((c) => [
          ...(c.tel ?? []).map((value): ImportedContact => ({ kind: 'phone', value })),
          ...(c.email ?? []).map((value): ImportedContact => ({ kind: 'email', value })),
        ]),
      );
    } catch (err) {
      if ((err as Error).name !== 'AbortError') toast('Couldn’t open your contacts.', 'error');
    }
  }

  async function onFile(f: File | undefined) {
    if (!f) return;
    if (f.size > 5 * 1024 * 1024) {
      toast('That file is too large (5 MB at most).', 'error');
      return;
    }
    await send(parseContactsFile(f.name, await f.text()));
    if (file.current) file.current.value = '';
  }

  return (
    <section className="friends-card" aria-labelledby="contacts-title">
      <div className="friends-card__head">
        <IconUsersPlus size={24} />
        <div>
          <h2 id="contacts-title" className="friends-card__title">
            Find friends from your contacts
          </h2>
          <p className="friends-card__text">Only phone numbers and emails are sent; Loop keeps them as one-way hashes until you remove them.</p>
        </div>
      </div>
      <div className="friends-card__actions">
        {picker ? (
          <Button variant="primary" onClick={pick} loading={upload.isPending}>
            Choose contacts
          </Button>
        ) : null}
        <Button variant={picker ? 'secondary' : 'primary'} onClick={() => file.current?.click()} loading={!picker && upload.isPending}>
          Import .vcf or .csv
        </Button>
        <input
          ref={file}
          type="file"
          accept=".vcf,.csv,text/vcard,text/x-vcard,text/csv"
          hidden
          data-testid="contacts-file"
          onChange={(e) => void onFile(e.target.files?.[0])}
        />
        <Button
          variant="ghost"
          loading={forget.isPending}
          onClick={async () => {
            await forget.mutateAsync();
            setFound(null);
            toast('Your uploaded contacts were removed.', 'success');
          }}
        >
          Remove uploaded contacts
        </Button>
      </div>
      {found ? (
        found.length === 0 ? (
          <p className="friends-card__text" role="status">
            None of your contacts are on Loop yet. When one joins, they’ll show up in your suggestions.
          </p>
        ) : (
          <>
            <p className="friends-card__text" role="status">
              {found.length === 1 ? '1 of your contacts is on Loop' : `${found.length} of your contacts are on Loop`}
            </p>
            <ul className="person-list">
              {found.map((u) => (
                <PersonRow key={u.id} user={u} detail="In your contacts" actions={<FollowButton userId={u.id} name={u.displayName} />} />
              ))}
            </ul>
          </>
        )
      ) : null}
    </section>
  );
}
