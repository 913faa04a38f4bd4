import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorState } from '../../ui/ErrorState.tsx';
import { IconLock } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { UserRowSkeletons } from '../accounts/UserRow.tsx';
import { useBlockedAccounts, useGraphAction } from './friends-api.ts';
import { PersonRow } from './PersonRow.tsx';
import './friends.css';

/**
 * Settings → Blocked accounts: the one place someone you blocked still appears (everywhere else
 * each of you is invisible to the other), so you can unblock them.
 */
export function BlockedAccountsScreen() {
  const blocked = useBlockedAccounts();
  const action = useGraphAction();
  const toast = useToast();
  const items = blocked.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <TopBar title="Blocked accounts" back backTo="/settings" />
      <Page>
        {blocked.isPending ? (
          <UserRowSkeletons count={3} />
        ) : blocked.isError ? (
          <ErrorState title="Couldn’t load blocked accounts" message={describeError(blocked.error)} onRetry={() => void blocked.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState icon={<IconLock size={28} />} title="You haven’t blocked anyone">
            People you block can’t find you, follow you or message you, and you won’t see them. They show up here so you can unblock them.
          </EmptyState>
        ) : (
          <>
            <ul className="person-list" aria-label="Blocked accounts">
              {items.map(({ user }) => (
                <PersonRow
                  key={user.id}
                  user={user}
                  linked={false}
                  actions={
                    <Button
                      variant="secondary"
                      aria-label={`Unblock ${user.displayName}`}
                      loading={action.isPending && action.variables?.userId === user.id}
                      onClick={() =>
                        action.mutate(
                          { action: 'unblock', userId: user.id },
                          {
                            onSuccess: () =>
                              toast(
                                <>
                                  <UserText>{user.displayName}</UserText> is unblocked
                                </>,
                              ),
                            onError: (e) => toast(describeError(e), 'error'),
                          },
                        )
                      }
                    >
                      Unblock
                    </Button>
                  }
                />
              ))}
            </ul>
            {blocked.hasNextPage && (
              <Button variant="secondary" block loading={blocked.isFetchingNextPage} onClick={() => void blocked.fetchNextPage()}>
                Show more
              </Button>
            )}
          </>
        )}
      </Page>
    </>
  );
}
