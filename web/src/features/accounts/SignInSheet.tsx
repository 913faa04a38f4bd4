import { useLocation } from 'react-router';
import { ButtonLink } from '../../ui/Button.tsx';
import { Sheet } from '../../ui/Sheet.tsx';

/**
 * Asks a signed-out person to sign in for something that needs an account (liking a clip,
 * saving it, commenting), and brings them back to this screen afterwards (`?next=`).
 */
export function SignInSheet({ open, onClose, title }: { open: boolean; onClose: () => void; title: string }) {
  const location = useLocation();
  const next = `?next=${encodeURIComponent(location.pathname + location.search)}`;
  return (
    <Sheet open={open} onClose={onClose} title={title}>
      <p className="sheet__text">Log in or create an account, and you’ll come right back here.</p>
      <ButtonLink to={`/login${next}`} variant="primary" size="lg" block>
        Log in
      </ButtonLink>
      <ButtonLink to={`/signup${next}`} variant="secondary" size="lg" block>
        Create account
      </ButtonLink>
    </Sheet>
  );
}
