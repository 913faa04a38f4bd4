import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, describeError } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import { Button } from '../../ui/Button.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { useSetContact } from './accounts-api.ts';
import { FormAlert } from './AuthLayout.tsx';
import './edit.css';

const COPY = {
  email: {
    title: 'Email',
    label: 'Email address',
    type: 'email',
    autoComplete: 'email',
    invalid: 'Enter an email address like name@example.com.',
    taken: 'That email already belongs to another account.',
    saved: 'Email saved',
    removed: 'Email removed',
  },
  phone: {
    title: 'Phone number',
    label: 'Phone number',
    type: 'tel',
    autoComplete: 'tel',
    invalid: 'Enter a phone number with its country code, like +1 202 555 0147.',
    taken: 'That number already belongs to another account.',
    saved: 'Phone number saved',
    removed: 'Phone number removed',
  },
} as const;

/**
 * Settings → Email / Phone number: add, change or remove the address that lets people who
 * have it in their contacts find you. It is never shown on your profile.
 */
export function ContactInfoScreen({ kind }: { kind: 'email' | 'phone' }) {
  const me = useMe();
  const navigate = useNavigate();
  const toast = useToast();
  const save = useSetContact(kind);
  const copy = COPY[kind];
  const current = me[kind];
  const [value, setValue] = useState(current ?? '');
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  async function submit(next: string | null) {
    setError(null);
    setFormError(null);
    try {
      await save.mutateAsync(next);
      toast(next === null ? copy.removed : copy.saved, 'success');
      navigate('/settings', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setError(copy.taken);
      else if (err instanceof ApiError && err.fields[kind]) setError(copy.invalid);
      else setFormError(describeError(err));
    }
  }

  function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    if (!value.trim()) {
      setError(copy.invalid);
      return;
    }
    void submit(value.trim());
  }

  return (
    <>
      <TopBar title={copy.title} back backTo="/settings" />
      <Page flush>
        <form className="edit" onSubmit={onSubmit} noValidate>
          <TextField
            label={copy.label}
            name={kind}
            type={copy.type}
            inputMode={copy.type}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoComplete={copy.autoComplete}
            autoCapitalize="none"
            spellCheck={false}
            error={error}
            hint={`People who have it in their contacts can find you on Loop${me.settings.discoverableByContacts ? '' : ' once you turn on “Let contacts find me”'}. It is never shown on your profile.`}
          />
          <FormAlert>{formError}</FormAlert>
          <Button type="submit" variant="primary" size="lg" block loading={save.isPending && save.variables !== null}>
            Save
          </Button>
          {current ? (
            <Button variant="secondary" size="lg" block loading={save.isPending && save.variables === null} onClick={() => void submit(null)}>
              Remove {kind === 'email' ? 'email' : 'phone number'}
            </Button>
          ) : null}
        </form>
      </Page>
    </>
  );
}
