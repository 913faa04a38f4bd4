import type { ReactNode } from 'react';
import './states.css';

export interface EmptyStateProps {
  icon: ReactNode;
  title: string;
  /** One sentence: why it is empty, or what will be here. */
  children?: ReactNode;
  /** The next thing to do (a Button or ButtonLink). */
  action?: ReactNode;
  compact?: boolean;
  /** A small label above the title ("Not built yet"). */
  eyebrow?: ReactNode;
}

/** Nothing to show yet: a sentence and the next action. */
export function EmptyState({ icon, title, children, action, compact, eyebrow }: EmptyStateProps) {
  return (
    <section className={`state${compact ? ' state--compact' : ''}`}>
      <div className="state__art" aria-hidden="true">
        {icon}
      </div>
      {eyebrow ? <div className="state__eyebrow">{eyebrow}</div> : null}
      <h2 className="state__title">{title}</h2>
      {children ? <p className="state__text">{children}</p> : null}
      {action ? <div className="state__actions">{action}</div> : null}
    </section>
  );
}
