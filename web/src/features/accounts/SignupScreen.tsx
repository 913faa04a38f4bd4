import { USERNAME_PATTERN } from '@loop/contracts';
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError, describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { IconCheck, IconClose } from '../../ui/icons.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { useSignup } from './accounts-api.ts';
import { AuthLayout, FormAlert, RevealButton } from './AuthLayout.tsx';

type Field = 'username' | 'password' | 'displayName' | 'birthdate';
const FIELDS: Field[] = ['username', 'password', 'displayName', 'birthdate'];

/** The username rules, checked as the person types (the same rule as the server's). */
function usernameRules(u: string) {
  return [
    { ok: u.length >= 3 && u.length <= 24, text: '3–24 characters' },
    { ok: u.length > 0 && /^[a-z0-9_.]*$/.test(u), text: 'Only letters a–z, numbers, underscores and dots' },
  ];
}

function Rule({ ok, touched, text }: { ok: boolean; touched: boolean; text: string }) {
  const state = !touched ? '' : ok ? ' field__rule--ok' : ' field__rule--bad';
  return (
    <li className={`field__rule${state}`}>
      {touched && !ok ? <IconClose size={14} /> : <IconCheck size={14} />}
      <span>
        {text}
        <span className="visually-hidden">{touched ? (ok ? ' (met)' : ' (not met)') : ''}</span>
      </span>
    </li>
  );
}

/** Sign up: username and password; display name and birthdate optional. Server errors land on their field. */
export function SignupScreen() {
  const [params] = useSearchParams();
  const signup = useSignup();
  const toast = useToast();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [birthdate, setBirthdate] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);

  const rules = usernameRules(username);
  const passwordOk = password.length >= 8;

  function validate(): Partial<Record<Field, string>> {
    const e: Partial<Record<Field, string>> = {};
    if (!USERNAME_PATTERN.test(username)) e.username = 'Choose a username that follows the rules below.';
    if (!passwordOk) e.password = 'Use at least 8 characters.';
    if (displayName.trim().length > 50) e.displayName = 'Use at most 50 characters.';
    if (birthdate && new Date(`${birthdate}T00:00:00Z`).getTime() >= Date.now()) e.birthdate = 'Enter a date in the past.';
    return e;
  }

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    setSubmitted(true);
    setFormError(null);
    const local = validate();
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const me = await signup.mutateAsync({
        username,
        password,
        displayName: displayName.trim() || undefined,
        birthdate: birthdate || undefined,
      });
      if (me) toast(`Welcome to Loop, ${me.user.displayName}!`, 'success');
    } catch (err) {
      const onFields: Partial<Record<Field, string>> = {};
      if (err instanceof ApiError) for (const f of FIELDS) if (err.fields[f]) onFields[f] = sentence(NOUNS[f], err.fields[f]!);
      setErrors(onFields);
      if (!Object.keys(onFields).length) setFormError(describeError(err));
    }
  }

  const next = params.get('next');
  return (
    <AuthLayout
      title="Create your account"
      subtitle="It takes a few seconds. You can change everything later."
      footer={
        <>
          Already have an account? <Link to={`/login${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Log in</Link>
        </>
      }
    >
      <form className="auth__form" onSubmit={onSubmit} noValidate>
        <TextField
          label="Username"
          name="username"
          prefix="@"
          value={username}
          onChange={(e) => {
            // Usernames are lower-case; typing "Alice" gives "alice" rather than an error.
            setUsername(e.target.value.toLowerCase().replace(/\s/g, ''));
            if (errors.username) setErrors({ ...errors, username: undefined });
          }}
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          maxLength={24}
          required
          error={errors.username}
          hint={
            <ul className="field__rules">
              {rules.map((r) => (
                <Rule key={r.text} ok={r.ok} touched={submitted || username.length > 0} text={r.text} />
              ))}
            </ul>
          }
        />
        <TextField
          label="Password"
          name="password"
          type={showPassword ? 'text' : 'password'}
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            if (errors.password) setErrors({ ...errors, password: undefined });
          }}
          autoComplete="new-password"
          required
          error={errors.password}
          end={<RevealButton shown={showPassword} onToggle={() => setShowPassword((s) => !s)} />}
          hint={
            // The rule and the error say the same thing; show one.
            errors.password ? undefined : (
            <ul className="field__rules">
              <Rule ok={passwordOk} touched={submitted || password.length > 0} text="At least 8 characters, not a common password" />
            </ul>
            )
          }
        />
        <details className="auth__more" open={Boolean(errors.displayName || errors.birthdate) || undefined}>
          <summary>Add your name and birthday (optional)</summary>
          <div className="auth__more-fields">
            <TextField
              label="Display name"
              name="displayName"
              optional
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              autoComplete="name"
              maxLength={50}
              error={errors.displayName}
              hint="How your name appears to others. Defaults to your username."
            />
            <TextField
              label="Birthday"
              name="birthdate"
              type="date"
              optional
              value={birthdate}
              onChange={(e) => setBirthdate(e.target.value)}
              autoComplete="bday"
              max={new Date().toISOString().slice(0, 10)}
              error={errors.birthdate}
              hint="Never shown to anyone. It keeps younger people’s messages safe."
            />
          </div>
        </details>
        <FormAlert>{formError}</FormAlert>
        <Button type="submit" variant="primary" size="lg" block loading={signup.isPending}>
          Sign up
        </Button>
      </form>
    </AuthLayout>
  );
}

const NOUNS: Record<Field, string> = { username: 'That username', password: 'This password', displayName: 'The name', birthdate: 'The date' };

/** The server's "is already taken" becomes "That username is already taken." under the field. */
function sentence(noun: string, message: string): string {
  const m = message.replace(/^[a-zA-Z.]+: /, '');
  const text = /^(is|must|should) /.test(m) ? `${noun} ${m}` : m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
