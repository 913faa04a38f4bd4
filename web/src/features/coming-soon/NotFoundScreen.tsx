import { ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { IconSearch } from '../../ui/icons.tsx';
import { TopBar } from '../../ui/Page.tsx';

/** Any address the app does not know. */
export function NotFoundScreen() {
  return (
    <>
      <TopBar title="Not found" back />
      <EmptyState
        icon={<IconSearch size={32} />}
        title="This page doesn’t exist"
        action={
          <ButtonLink to="/" variant="primary">
            Go home
          </ButtonLink>
        }
      >
        The link may be broken, or the page may have moved.
      </EmptyState>
    </>
  );
}
