import type { NotificationKind } from '@loop/contracts';
import { QueryView } from '../../app/query-view.tsx';
import { describeError } from '../../app/api.ts';
import { Page, TopBar } from '../../ui/Page.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { SwitchRow } from '../../ui/Switch.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { useNotificationSettings, useUpdateNotificationSetting } from './activity-api.ts';
import { PushSettingRow } from './push.tsx';
import '../accounts/settings.css';

/** The kinds people can switch today, in the words of the Activity screen (others come with their features). */
const KINDS: ReadonlyArray<{ kind: NotificationKind; label: string }> = [
  { kind: 'follow', label: 'New followers' },
  { kind: 'follow_request', label: 'Follow requests' },
  { kind: 'friend', label: 'Friends (followed back)' },
  { kind: 'like', label: 'Likes' },
  { kind: 'comment', label: 'Comments' },
  { kind: 'mention', label: 'Mentions' },
  { kind: 'share', label: 'Clips sent to you' },
  { kind: 'message_request', label: 'Message requests' },
];

/** Settings → Notifications: per kind, in Activity and as a push on this device. */
export function NotificationSettingsScreen() {
  const settings = useNotificationSettings();
  const update = useUpdateNotificationSetting();
  const toast = useToast();
  const change = (patch: { kind: NotificationKind; inApp?: boolean; push?: boolean }) =>
    update.mutate(patch, { onError: (err) => toast(describeError(err), 'error') });
  return (
    <>
      <TopBar title="Notifications" back backTo="/settings" />
      <Page flush>
        <div className="settings">
          <h2 className="group-title">Push notifications</h2>
          <div className="group">
            <PushSettingRow />
          </div>
          <QueryView query={settings} skeleton={<Skeleton height={400} />} errorTitle="Couldn’t load your notification settings">
            {(s) => (
              <>
                <h2 className="group-title">In Activity</h2>
                <div className="group">
                  {KINDS.map(({ kind, label }) => (
                    <SwitchRow key={kind} label={label} checked={s[kind].inApp} onChange={(inApp) => change({ kind, inApp })} />
                  ))}
                </div>
                <h2 className="group-title">As push notifications</h2>
                <div className="group">
                  {KINDS.map(({ kind, label }) => (
                    <SwitchRow key={kind} label={label} checked={s[kind].push && s[kind].inApp} disabled={!s[kind].inApp} onChange={(push) => change({ kind, push })} />
                  ))}
                </div>
              </>
            )}
          </QueryView>
        </div>
      </Page>
    </>
  );
}
