import { Button } from './Button.tsx';
import { IconAlert, IconOffline } from './icons.tsx';
import './states.css';

export interface ErrorStateProps {
  title?: string;
  /** What happened, in words a person understands. */
  message: string;
  onRetry?: () => void;
  retrying?: boolean;
  compact?: boolean;
}

/** Something failed: what happened, and a retry. */
export function ErrorState({ title = 'Something went wrong', message, onRetry, retrying, compact }: ErrorStateProps) {
  return (
    <section className={`state state--error${compact ? ' state--compact' : ''}`} role="alert">
      <div className="state__art" aria-hidden="true">
        <IconAlert size={32} />
      </div>
      <h2 className="state__title">{title}</h2>
      <p className="state__text">{message}</p>
      {onRetry ? (
        <div className="state__actions">
          <Button variant="primary" onClick={onRetry} loading={retrying}>
            Try again
          </Button>
        </div>
      ) : null}
    </section>
  );
}

/** Shown in place of content that cannot load because the device is offline. */
export function OfflineState({ compact }: { compact?: boolean }) {
  return (
    <section className={`state state--offline${compact ? ' state--compact' : ''}`}>
      <div className="state__art" aria-hidden="true">
        <IconOffline size={32} />
      </div>
      <h2 className="state__title">You’re offline</h2>
      <p className="state__text">This will load by itself as soon as you’re back online.</p>
    </section>
  );
}
