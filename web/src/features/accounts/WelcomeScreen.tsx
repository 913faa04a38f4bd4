import { useSearchParams } from 'react-router';
import { ButtonLink } from '../../ui/Button.tsx';
import { IconFriends, IconInbox, IconVideo } from '../../ui/icons.tsx';
import { useDocumentTitle } from '../../ui/Page.tsx';
import './auth.css';

/** The first screen a signed-out person sees. */
export function WelcomeScreen() {
  const [params] = useSearchParams();
  useDocumentTitle('Welcome');
  const next = params.get('next');
  const carry = next ? `?next=${encodeURIComponent(next)}` : '';
  return (
    <div className="welcome">
      <div className="welcome__inner">
        <div className="welcome__hero">
          <img className="welcome__logo" src="/icons/icon-192.png" alt="" width={84} height={84} />
          <h1 className="welcome__title">Loop</h1>
          <p className="welcome__tagline">Short videos, real-life friends, and the conversation about them.</p>
          <ul className="welcome__points">
            <li>
              <IconVideo size={20} /> Watch and make short clips
            </li>
            <li>
              <IconFriends size={20} /> Keep up with the people you actually know
            </li>
            <li>
              <IconInbox size={20} /> Share a clip, start a chat
            </li>
          </ul>
        </div>
        <div className="welcome__actions">
          <ButtonLink to={`/signup${carry}`} variant="primary" size="lg" block>
            Create account
          </ButtonLink>
          <ButtonLink to={`/login${carry}`} variant="ghost" size="lg" block>
            Log in
          </ButtonLink>
        </div>
      </div>
    </div>
  );
}
