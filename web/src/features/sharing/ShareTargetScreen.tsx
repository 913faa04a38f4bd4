import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../app/api.ts';
import { QueryView } from '../../app/query-view.tsx';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { IconVideo } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { useVideo } from '../video/video-api.ts';
import { ShareSheet } from './ShareSheet.tsx';
import { videoIdFromShared } from './sharing-api.ts';

/**
 * /share?url=&text=&title= — where the installed PWA lands when someone picks "Loop" in another
 * app's share menu (the manifest's share_target). A Loop clip link opens the share sheet for that
 * clip; anything else is said plainly (Loop passes on Loop clips only, for now).
 */
export function ShareTargetScreen() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const url = params.get('url');
  const text = params.get('text');
  const videoId = videoIdFromShared(url, text);
  const shared = Array.from(text ?? url ?? '');
  const [open, setOpen] = useState(true);
  // The clip's page (where closing the sheet leads) reads the same cache entry.
  const video = useVideo(videoId);

  if (!videoId) {
    return (
      <>
        <TopBar title="Share to Loop" back />
        <Page>
          <EmptyState icon={<IconVideo size={32} />} title="Only Loop clips can be shared here" action={<ButtonLink to="/">Back to Loop</ButtonLink>}>
            Loop passes on clips from Loop links (…/v/123). This share had no such link
            {shared.length ? (
              <>
                : <UserText>{shared.length > 140 ? `${shared.slice(0, 140).join('')}…` : shared.join('')}</UserText>
              </>
            ) : (
              '.'
            )}
          </EmptyState>
        </Page>
      </>
    );
  }
  return (
    <>
      <TopBar title="Share to Loop" back />
      <Page>
        <QueryView
          query={video}
          errorTitle="Couldn’t open this clip"
          renderError={(err) =>
            err instanceof ApiError && err.status === 404 ? (
              <EmptyState icon={<IconVideo size={32} />} title="This clip isn’t available">
                It may have been deleted, or it isn’t shared with you.
              </EmptyState>
            ) : undefined
          }
          skeleton={<Skeleton height={320} radius={12} />}
        >
          {(v) => (
            <div className="share-target">
              {v.posterUrl ? <img className="share-target__poster" src={v.posterUrl} alt="" /> : null}
              <p className="share-target__caption">
                <strong>
                  <UserText>@{v.author.username}</UserText>
                </strong>{' '}
                <UserText>{v.caption}</UserText>
              </p>
              <Button variant="primary" onClick={() => setOpen(true)}>
                Choose who gets it
              </Button>
              <ShareSheet
                videoId={v.id}
                open={open}
                onClose={() => {
                  setOpen(false);
                  navigate(`/video/${v.id}`, { replace: true });
                }}
              />
            </div>
          )}
        </QueryView>
      </Page>
    </>
  );
}
