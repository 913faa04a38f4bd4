import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError, describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { useLogin } from './accounts-api.ts';
import { AuthLayout, FormAlert, RevealButton } from './AuthLayout.tsx';

/** Log in with username and password. A wrong pair says so without telling which part was wrong. */
export function LoginScreen() {
  const [params] = useSearchParams();
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [errors, setErrors] = useState<{ username?: string; password?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    setFormError(null);
    const local: typeof errors = {};
    if (!username.trim()) local.username = 'Enter your username.';
    if (!password) local.password = 'Enter your password.';
    setErrors(local);
    if (local.username || local.password) return;
    try {
      // People often type their handle with the @ they see on profiles.
      await login.mutateAsync({ username: username.trim().replace(/^@/, ''), password });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_credentials') setFormError('Wrong username or password. Check both and try again.');
      else setFormError(describeError(err));
    }
  }

  const next = params.get('next');
  return (
    <AuthLayout
      title="Welcome back"
      subtitle="Log in to see what your friends are up to."
      footer={
        <>
          New to Loop? <Link to={`/signup${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
        </>
      }
    >
      <form className="auth__form" onSubmit={onSubmit} noValidate>
        <TextField
          label="Username"
          name="username"
          prefix="@"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          error={errors.username}
        />
        <TextField
          label="Password"
          name="password"
          type={showPassword ? 'text' : 'password'}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          error={errors.password}
          end={<RevealButton shown={showPassword} onToggle={() => setShowPassword((s) => !s)} />}
        />
        <FormAlert>{formError}</FormAlert>
        <Button type="submit" variant="primary" size="lg" block loading={login.isPending}>
          Log in
        </Button>
      </form>
    </AuthLayout>
  );
}
