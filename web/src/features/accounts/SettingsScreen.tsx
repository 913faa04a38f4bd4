import type { DmPolicy } from '@loop/contracts';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button } from '../../ui/Button.tsx';
import { IconChevron, IconLogout } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { Sheet } from '../../ui/Sheet.tsx';
import { ChoiceGroup, SwitchRow } from '../../ui/Switch.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { useLogout, useUpdateSettings } from './accounts-api.ts';
import { regionOptions } from './regions.ts';
import './settings.css';

const DM_OPTIONS: ReadonlyArray<{ value: DmPolicy; label: string; hint: string }> = [
  { value: 'everyone', label: 'Everyone', hint: 'Messages from people you don’t follow go to Requests' },
  { value: 'friends', label: 'Friends', hint: 'Only people you follow who follow you back' },
  { value: 'nobody', label: 'No one', hint: 'Nobody can start a new chat with you' },
];

/** Privacy, messages, discovery and region; every change saves at once (optimistically). */
export function SettingsScreen() {
  const me = useMe();
  const { settings, user } = me;
  const update = useUpdateSettings();
  const logout = useLogout();
  const toast = useToast();
  const [confirmLogout, setConfirmLogout] = useState(false);
  const regions = useMemo(regionOptions, []);

  async function onLogout() {
    try {
      await logout.mutateAsync();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  }

  return (
    <>
      <TopBar title="Settings" back backTo="/profile" />
      <Page flush>
        <div className="settings">
          <h2 className="group-title">Account</h2>
          <div className="group">
            <div className="settings__account">
              <Avatar username={user.username} name={user.displayName} src={user.avatarUrl} size={48} />
              <div className="settings__row-text">
                <span className="settings__account-name">
                  <UserText>{user.displayName}</UserText>
                </span>
                <span className="settings__row-hint">
                  <UserText>@{user.username}</UserText>
                </span>
              </div>
            </div>
            <Link to="/profile/edit" className="settings__row">
              <span className="settings__row-text">Edit profile</span>
              <IconChevron size={20} />
            </Link>
            <Link to="/settings/email" className="settings__row">
              <span className="settings__row-text">
                <span>Email</span>
                <span className="settings__row-hint settings__row-value">{me.email ?? 'Add one so friends can find you'}</span>
              </span>
              <IconChevron size={20} />
            </Link>
            <Link to="/settings/phone" className="settings__row">
              <span className="settings__row-text">
                <span>Phone number</span>
                <span className="settings__row-hint settings__row-value">{me.phone ?? 'Add one so friends can find you'}</span>
              </span>
              <IconChevron size={20} />
            </Link>
            <Link to="/settings/password" className="settings__row">
              <span className="settings__row-text">Change password</span>
              <IconChevron size={20} />
            </Link>
          </div>

          <h2 className="group-title">Notifications</h2>
          <div className="group">
            <Link to="/settings/notifications" className="settings__row">
              <span className="settings__row-text">
                <span>Notifications</span>
                <span className="settings__row-hint">What you hear about, in Activity and as push notifications</span>
              </span>
              <IconChevron size={20} />
            </Link>
          </div>

          <h2 className="group-title">Shopping</h2>
          <div className="group">
            <Link to="/orders" className="settings__row">
              <span className="settings__row-text">Your orders</span>
              <IconChevron size={20} />
            </Link>
            <Link to="/shop" className="settings__row">
              <span className="settings__row-text">
                <span>Your shop</span>
                <span className="settings__row-hint">Sell products and tag them in your clips</span>
              </span>
              <IconChevron size={20} />
            </Link>
          </div>

          <h2 className="group-title">For You</h2>
          <div className="group">
            <label className="settings__row settings__row--stack" htmlFor="friends-first">
              <span className="settings__row-text">
                <span>Friends first</span>
                <span className="settings__row-hint">How much For You leans toward clips by your friends and the people you follow</span>
              </span>
              <input
                id="friends-first"
                type="range"
                className="settings__dial"
                min={0}
                max={100}
                step={10}
                defaultValue={Math.round(settings.friendsFirst * 100)}
                aria-valuetext={`${Math.round(settings.friendsFirst * 100)}%`}
                // Saved when the person lets go, not on every step of a drag.
                onPointerUp={(e) => update.mutate({ friendsFirst: Number(e.currentTarget.value) / 100 })}
                onKeyUp={(e) => update.mutate({ friendsFirst: Number(e.currentTarget.value) / 100 })}
              />
              <span className="settings__dial-scale" aria-hidden="true">
                <span>Everyone</span>
                <span>Friends</span>
              </span>
            </label>
          </div>

          <h2 className="group-title">Privacy</h2>
          <div className="group">
            <SwitchRow
              label="Private account"
              hint="Only people you approve can follow you"
              checked={settings.privateAccount}
              onChange={(privateAccount) => update.mutate({ privateAccount })}
            />
            <SwitchRow
              label="Let contacts find me"
              hint="People who have your phone number or email can find you"
              checked={settings.discoverableByContacts}
              onChange={(discoverableByContacts) => update.mutate({ discoverableByContacts })}
            />
            <Link to="/settings/blocked" className="settings__row">
              <span className="settings__row-text">
                <span>Blocked accounts</span>
                <span className="settings__row-hint">See and unblock the people you blocked</span>
              </span>
              <IconChevron size={20} />
            </Link>
          </div>

          <h2 className="group-title" id="dm-title">
            Who can message me
          </h2>
          <ChoiceGroup legend="Who can message me" value={settings.dmPolicy} options={DM_OPTIONS} onChange={(dmPolicy) => update.mutate({ dmPolicy })} />

          <h2 className="group-title">Region</h2>
          <div className="group">
            <label className="settings__row settings__row--stack" htmlFor="region">
              <span className="settings__row-text">
                <span>Region</span>
                <span className="settings__row-hint">Used to read phone numbers written without a country code</span>
              </span>
              <select id="region" className="select" value={settings.region} onChange={(e) => update.mutate({ region: e.target.value })}>
                {regions.some(([c]) => c === settings.region) ? null : <option value={settings.region}>{settings.region}</option>}
                {regions.map(([code, name]) => (
                  <option key={code} value={code}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
          </div>

          <div className="settings__logout">
            <Button variant="danger" block onClick={() => setConfirmLogout(true)}>
              <IconLogout size={20} /> Log out
            </Button>
          </div>
          <p className="settings__version">
            Signed in as <UserText>@{user.username}</UserText>
          </p>
        </div>
      </Page>

      <Sheet open={confirmLogout} onClose={() => setConfirmLogout(false)} title="Log out of Loop?">
        <p className="sheet__text">You can log back in any time with your username and password.</p>
        <Button variant="primary" size="lg" block loading={logout.isPending} onClick={onLogout}>
          Log out
        </Button>
        <Button variant="secondary" size="lg" block onClick={() => setConfirmLogout(false)}>
          Cancel
        </Button>
      </Sheet>
    </>
  );
}
