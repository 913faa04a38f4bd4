import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { useChangePassword } from './accounts-api.ts';
import { FormAlert, RevealButton } from './AuthLayout.tsx';
import './edit.css';

type Errors = { currentPassword?: string; newPassword?: string };

/** What the server's refusal means for the person, on the field it concerns. */
function errorsOf(err: ApiError): Errors | null {
  if (err.code === 'wrong_password') return { currentPassword: 'That isn’t your current password.' };
  if (err.code === 'same_password') return { newPassword: 'Choose a password different from your current one.' };
  if (err.code === 'weak_password') {
    return { newPassword: /username/.test(err.message) ? 'Your password must not contain your username.' : 'That password is too common. Choose one that is harder to guess.' };
  }
  if (err.fields.newPassword) return { newPassword: 'Use 8 to 256 characters.' };
  return null;
}

/** Settings → Change password: the current one and a new one; other devices are signed out. */
export function ChangePasswordScreen() {
  const navigate = useNavigate();
  const toast = useToast();
  const change = useChangePassword();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [shown, setShown] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    setFormError(null);
    const local: Errors = {};
    if (!currentPassword) local.currentPassword = 'Enter your current password.';
    if (newPassword.length < 8) local.newPassword = 'Use at least 8 characters.';
    setErrors(local);
    if (local.currentPassword || local.newPassword) return;
    try {
      await change.mutateAsync({ currentPassword, newPassword });
      toast('Password changed. Your other devices were signed out.', 'success');
      navigate('/settings', { replace: true });
    } catch (err) {
      const onFields = err instanceof ApiError ? errorsOf(err) : null;
      if (onFields) setErrors(onFields);
      else setFormError(describeError(err));
    }
  }

  const reveal = <RevealButton shown={shown} onToggle={() => setShown((s) => !s)} />;
  return (
    <>
      <TopBar title="Change password" back backTo="/settings" />
      <Page flush>
        <form className="edit" onSubmit={onSubmit} noValidate>
          <TextField
            label="Current password"
            name="currentPassword"
            type={shown ? 'text' : 'password'}
            value={currentPassword}
            onChange={(e) => setCurrent(e.target.value)}
            autoComplete="current-password"
            required
            error={errors.currentPassword}
            end={reveal}
          />
          <TextField
            label="New password"
            name="newPassword"
            type={shown ? 'text' : 'password'}
            value={newPassword}
            onChange={(e) => setNew(e.target.value)}
            autoComplete="new-password"
            required
            error={errors.newPassword}
            hint="At least 8 characters, not a common password. You stay signed in here; every other device is signed out."
          />
          <FormAlert>{formError}</FormAlert>
          <Button type="submit" variant="primary" size="lg" block loading={change.isPending}>
            Change password
          </Button>
        </form>
      </Page>
    </>
  );
}
