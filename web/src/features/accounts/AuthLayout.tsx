import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Button } from '../../ui/Button.tsx';
import { IconAlert, IconBack, IconEye, IconEyeOff } from '../../ui/icons.tsx';
import { useDocumentTitle } from '../../ui/Page.tsx';
import './auth.css';

/** The frame of sign up and log in: back to welcome, logo, title, the form, a link to the other one. */
export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle: string; children: ReactNode; footer: ReactNode }) {
  useDocumentTitle(title);
  return (
    <div className="auth">
      <div className="auth__inner">
        <div className="auth__bar">
          <Link to="/welcome" className="btn btn--ghost btn--icon" aria-label="Back">
            <IconBack size={26} />
          </Link>
        </div>
        <div className="auth__head">
          <img className="auth__logo" src="/icons/icon-192.png" alt="" width={44} height={44} />
          <h1 className="auth__title">{title}</h1>
          <p className="auth__subtitle">{subtitle}</p>
        </div>
        {children}
        <p className="auth__switch">{footer}</p>
      </div>
    </div>
  );
}

/** An error about the whole form (wrong password, rate limited, offline). */
export function FormAlert({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="form-alert" role="alert">
      <IconAlert size={18} />
      <span>{children}</span>
    </div>
  );
}

/** The eye button at the end of a password field. */
export function RevealButton({ shown, onToggle }: { shown: boolean; onToggle: () => void }) {
  return (
    <Button variant="ghost" icon className="reveal" aria-label={shown ? 'Hide password' : 'Show password'} aria-pressed={shown} onClick={onToggle}>
      {shown ? <IconEyeOff size={20} /> : <IconEye size={20} />}
    </Button>
  );
}
