import { PushSubscriptionBody, VapidKey } from '@loop/contracts';
import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../../app/api.ts';
import { useSession } from '../../app/session.ts';
import { Button } from '../../ui/Button.tsx';
import { IconBell, IconClose } from '../../ui/icons.tsx';
import { SwitchRow } from '../../ui/Switch.tsx';
import { useToast } from '../../ui/Toast.tsx';
import './activity-chrome.css';

/**
 * Web push on this device: the browser's permission, its PushManager subscription made with the
 * server's VAPID key, and the copy of it the server keeps (POST/DELETE /me/push-subscriptions).
 */
export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

const supported = () => typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window && window.isSecureContext;

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await navigator.serviceWorker.getRegistration('/');
  return (await reg?.pushManager.getSubscription()) ?? null;
}

export async function readPushState(): Promise<PushState> {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  if (Notification.permission !== 'granted') return 'off';
  return (await currentSubscription()) ? 'on' : 'off';
}

/** Asks the browser (it shows its own prompt), subscribes, and hands the subscription to the server. */
export async function enablePush(): Promise<PushState> {
  if (!supported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const reg = await navigator.serviceWorker.ready;
  const { key } = await api('/push/vapid-public-key', { schema: VapidKey });
  const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
  await api('/me/push-subscriptions', { method: 'POST', json: PushSubscriptionBody.parse(sub.toJSON()) });
  return 'on';
}

export async function disablePush(): Promise<PushState> {
  const sub = await currentSubscription();
  if (sub) {
    await api('/me/push-subscriptions', { method: 'DELETE', json: { endpoint: sub.endpoint } }).catch(() => undefined);
    await sub.unsubscribe();
  }
  return 'off';
}

function usePushState() {
  const [state, setState] = useState<PushState | null>(null);
  useEffect(() => {
    let live = true;
    void readPushState().then((s) => live && setState(s));
    return () => {
      live = false;
    };
  }, []);
  return [state, setState] as const;
}

const HINTS: Record<PushState, string> = {
  unsupported: 'This browser can’t show notifications from Loop',
  denied: 'Notifications are blocked for Loop in your browser’s site settings',
  off: 'Get told when Loop isn’t open',
  on: 'You’ll be told on this device when Loop isn’t open',
};

/** Settings → Notifications: push on this device. */
export function PushSettingRow() {
  const [state, setState] = usePushState();
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const toggle = async (on: boolean) => {
    setBusy(true);
    try {
      setState(await (on ? enablePush() : disablePush()));
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <SwitchRow
      label="Push notifications on this device"
      hint={HINTS[state ?? 'off']}
      checked={state === 'on'}
      disabled={busy || state === null || state === 'unsupported' || state === 'denied'}
      onChange={(on) => void toggle(on)}
    />
  );
}

// ---- the opt-in prompt ----

const DISMISSED_KEY = 'loop.push-prompt.dismissed-at';
const ASK_AGAIN_MS = 30 * 24 * 3600 * 1000;
const moments = new EventTarget();

/**
 * Called after something that makes notifications worth having (a follow, a message sent): the
 * prompt may appear then — never on load, never again for 30 days once dismissed.
 */
export function notePushMoment() {
  moments.dispatchEvent(new Event('moment'));
}

function mayAsk(): boolean {
  if (!supported() || Notification.permission !== 'default') return false;
  const dismissed = Number(localStorage.getItem(DISMISSED_KEY) ?? 0);
  return Date.now() - dismissed > ASK_AGAIN_MS;
}

/** The push opt-in card, shown after a meaningful action (mounted once in the app shell). */
export function PushPrompt() {
  const signedIn = useSession().status === 'signed-in';
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  useEffect(() => {
    const onMoment = () => {
      if (mayAsk()) setOpen(true);
    };
    moments.addEventListener('moment', onMoment);
    return () => moments.removeEventListener('moment', onMoment);
  }, []);
  const dismiss = useCallback(() => {
    localStorage.setItem(DISMISSED_KEY, String(Date.now()));
    setOpen(false);
  }, []);
  if (!open || !signedIn) return null;
  const accept = async () => {
    setBusy(true);
    try {
      const s = await enablePush();
      if (s === 'on') toast('Notifications are on', 'success');
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
      dismiss();
    }
  };
  return (
    <section className="push-prompt" role="dialog" aria-labelledby="push-prompt-title" aria-modal="false">
      <span className="push-prompt__icon" aria-hidden="true">
        <IconBell size={24} />
      </span>
      <div className="push-prompt__text">
        <h2 id="push-prompt-title">Turn on notifications?</h2>
        <p>Know when friends follow you back, reply or send you a clip.</p>
        <div className="push-prompt__actions">
          <Button variant="primary" loading={busy} onClick={() => void accept()}>
            Turn on
          </Button>
          <Button variant="ghost" onClick={dismiss}>
            Not now
          </Button>
        </div>
      </div>
      <Button variant="ghost" icon aria-label="Close" onClick={dismiss}>
        <IconClose size={20} />
      </Button>
    </section>
  );
}
