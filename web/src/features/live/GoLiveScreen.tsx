import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, describeError } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { IconCamera } from '../../ui/icons.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { ChoiceGroup } from '../../ui/Switch.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { useToast } from '../../ui/Toast.tsx';
import { type Broadcast, type BroadcastState, openCamera, pickRecorderType, startBroadcast } from './broadcast.ts';
import { createLive, type Live, type LiveIngest, type LiveVisibility, useLive } from './live-api.ts';
import { LiveRoom } from './LiveRoom.tsx';
import './live.css';

const AUDIENCES: ReadonlyArray<{ value: LiveVisibility; label: string; hint: string }> = [
  { value: 'public', label: 'Everyone', hint: 'Anyone on Loop can watch' },
  { value: 'followers', label: 'Followers', hint: 'People who follow you' },
  { value: 'friends', label: 'Friends', hint: 'People you follow who follow you back' },
];

type Camera = { state: 'asking' } | { state: 'on'; stream: MediaStream } | { state: 'denied'; message: string };

/**
 * `/live/new`: the camera preview behind a title, an audience and one big "Go live" button. Going
 * live creates the live and streams the camera from this tab (broadcast.ts); "Use streaming
 * software" creates it and shows the RTMP address and stream key for OBS instead.
 */
export function GoLiveScreen() {
  const me = useMe();
  const [camera, setCamera] = useState<Camera>({ state: 'asking' });
  const [title, setTitle] = useState('');
  const [audience, setAudience] = useState<LiveVisibility>('public');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<{ live: Live; ingest: LiveIngest; mode: 'camera' | 'software' } | null>(null);
  const preview = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    openCamera().then(
      (s) => {
        if (cancelled) {
          for (const t of s.getTracks()) t.stop();
          return;
        }
        stream = s;
        setCamera({ state: 'on', stream: s });
      },
      (err: Error) =>
        setCamera({
          state: 'denied',
          message: err.name === 'NotAllowedError' ? 'Loop can’t use your camera. Allow it in your browser’s site settings, or use streaming software.' : 'No camera was found. You can still go live with streaming software.',
        }),
    );
    return () => {
      cancelled = true;
      for (const t of stream?.getTracks() ?? []) t.stop();
    };
  }, []);

  useEffect(() => {
    if (preview.current && camera.state === 'on') preview.current.srcObject = camera.stream;
  }, [camera]);

  const begin = async (mode: 'camera' | 'software', e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await createLive({ title: title.trim(), visibility: audience });
      setStarted({ ...r, mode });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (started?.mode === 'camera' && camera.state === 'on') {
    return <OnAir liveId={started.live.id} initial={started.live} stream={camera.stream} />;
  }
  if (started?.mode === 'software') {
    return (
      <>
        <TopBar title="Streaming software" back backTo="/live/new" />
        <Page>
          <div className="golive-keys">
            <p>In OBS (Settings → Stream), choose “Custom…” and paste these. Your live starts when the software starts streaming.</p>
            <CopyField label="Server" value={started.ingest.rtmpUrl} />
            <CopyField label="Stream key" value={started.ingest.streamKey} secret />
            <p className="golive-keys__hint">Keep the key to yourself: anyone who has it can stream as you until this live ends.</p>
            <ButtonLink to={`/live/${started.live.id}`} variant="primary" block size="lg">
              Open my live
            </ButtonLink>
          </div>
        </Page>
      </>
    );
  }

  const canRecord = pickRecorderType() !== null;
  return (
    <div className="golive">
      <div className="golive__preview">
        {camera.state === 'on' ? (
          <video ref={preview} className="golive__video" muted playsInline autoPlay aria-label="Camera preview" data-testid="golive-preview" />
        ) : (
          <div className="golive__nocam" role={camera.state === 'denied' ? 'alert' : 'status'}>
            <IconCamera size={40} />
            <p>{camera.state === 'asking' ? 'Starting your camera…' : camera.message}</p>
          </div>
        )}
      </div>
      <form className="golive__panel" onSubmit={(e) => void begin('camera', e)}>
        <div className="golive__head">
          <Link to="/create" className="golive__back">
            Cancel
          </Link>
          <h1 className="golive__heading">Go live</h1>
          <span />
        </div>
        <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={140} placeholder="What’s happening?" counter={{ used: title.length, max: 140 }} />
        <ChoiceGroup legend="Who can watch" value={audience} options={AUDIENCES} onChange={setAudience} />
        {error ? (
          <p className="golive__error" role="alert">
            {error}
          </p>
        ) : null}
        <Button type="submit" variant="primary" size="lg" block loading={busy} disabled={busy || camera.state !== 'on' || !canRecord || !title.trim()}>
          Go live
        </Button>
        <Button block disabled={busy || !title.trim()} onClick={() => void begin('software')}>
          Use streaming software
        </Button>
        <p className="golive__as">Live as {me.user.displayName}</p>
      </form>
    </div>
  );
}

/** The host on air from this tab: their own camera full-bleed, the room over it, End. */
function OnAir({ liveId, initial, stream }: { liveId: string; initial: Live; stream: MediaStream }) {
  const me = useMe();
  const toast = useToast();
  const live = useLive(liveId);
  const [state, setState] = useState<BroadcastState>('connecting');
  const [failure, setFailure] = useState<string | null>(null);
  const broadcast = useRef<Broadcast | null>(null);
  const own = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    if (own.current) own.current.srcObject = stream;
    const b = startBroadcast(liveId, stream, (s, detail) => {
      setState(s);
      if (s === 'failed') setFailure(detail ?? null);
    });
    broadcast.current = b;
    return () => b.stop();
  }, [liveId, stream]);

  const end = () => {
    broadcast.current?.stop();
    for (const t of stream.getTracks()) t.stop();
    api(`/lives/${liveId}/end`, { method: 'POST' }).then(
      () => void live.refetch(),
      (err) => toast(describeError(err), 'error'),
    );
  };

  const l = live.data ?? initial;
  const notice = state === 'failed' ? `Your stream stopped: ${failure ?? 'the connection was lost'}` : state === 'connecting' || l.status === 'waiting' ? 'Starting your live…' : null;
  return (
    <LiveRoom
      live={l}
      me={me.user}
      onEnd={end}
      notice={notice}
      video={<video ref={own} className="live__media live__media--mirror" muted playsInline autoPlay aria-label="Your camera" data-testid="onair-preview" />}
    />
  );
}

function CopyField({ label, value, secret }: { label: string; value: string; secret?: boolean }) {
  const toast = useToast();
  const [shown, setShown] = useState(!secret);
  return (
    <div className="copyfield">
      <span className="copyfield__label">{label}</span>
      <code className="copyfield__value" data-testid={`ingest-${label.toLowerCase().replace(' ', '-')}`}>
        {shown ? value : '•'.repeat(24)}
      </code>
      <div className="copyfield__actions">
        {secret ? <Button onClick={() => setShown((s) => !s)}>{shown ? 'Hide' : 'Show'}</Button> : null}
        <Button
          onClick={() =>
            navigator.clipboard.writeText(value).then(
              () => toast(`${label} copied`, 'success'),
              () => toast('Couldn’t copy. Select it and copy by hand.', 'error'),
            )
          }
        >
          Copy
        </Button>
      </div>
    </div>
  );
}
