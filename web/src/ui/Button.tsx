import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { Link, type LinkProps } from 'react-router';
import './button.css';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';
interface Look {
  variant?: Variant;
  size?: 'md' | 'lg';
  block?: boolean;
  /** A square, round, icon-only button; give it an aria-label. */
  icon?: boolean;
}

function classes({ variant = 'secondary', size = 'md', block, icon }: Look, extra?: string) {
  return ['btn', `btn--${variant}`, size === 'lg' && 'btn--lg', block && 'btn--block', icon && 'btn--icon', extra].filter(Boolean).join(' ');
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement>, Look {
  /** Shows a spinner, keeps the width, and blocks repeat taps. */
  loading?: boolean;
  children?: ReactNode;
}

/** The one button of the app: primary for the main action of a screen, secondary elsewhere. */
export function Button({ variant, size, block, icon, loading, disabled, className, children, type = 'button', ...rest }: ButtonProps) {
  return (
    <button
      type={type}
      className={classes({ variant, size, block, icon }, className)}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      {...rest}
    >
      {loading ? <span className="btn__spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

/** A link that looks like a Button (navigation, not an action). */
export function ButtonLink({ variant, size, block, icon, className, ...rest }: LinkProps & Look) {
  return <Link className={classes({ variant, size, block, icon }, className)} {...rest} />;
}
