import type { WatchSession } from '@loop/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, api, describeError } from '../../app/api.ts';
import { realtime, useRealtimeFrames, useRealtimeStatus } from '../../app/realtime/socket.ts';
import { useMe } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button } from '../../ui/Button.tsx';
import { IconClose, IconVideo } from '../../ui/icons.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { chatOutbox } from '../inbox/chat-outbox.ts';
import type { Conversation } from '../inbox/inbox-api.ts';
import { WatchSyncController } from './controller.ts';
import { type ClipSource, HtmlPlayer } from './html-player.ts';
import { applyWatchState, endWatching, useWatchSession, watchTogether } from './watch-api.ts';
import './watch.css';

/** Reactions offered over the video; they are sent as chat messages, and float over the video for everyone watching. */
const REACTIONS = ['❤️', '😂', '😮', '🔥'];
/** A message that is one emoji (a reaction) floats over the video. */
const ONE_EMOJI = /^\p{Extended_Pictographic}(\uFE0F|\u200D\p{Extended_Pictographic})*$/u;

const localNow = () => performance.timeOrigin + performance.now();

/** The `?watch=1` of a chat's address: the watch view is open. */
export function useWatchViewOpen(): [boolean, (open: boolean) => void] {
  const [params, setParams] = useSearchParams();
  const open = params.get('watch') === '1';
  const set = (next: boolean) =>
    setParams(
      (p) => {
        const q = new URLSearchParams(p);
        if (next) q.set('watch', '1');
        else q.delete('watch');
        return q;
      },
      { replace: true },
    );
  return [open, set];
}

/** "Watch together" on a clip shared in the chat: starts (or switches) the session and opens the view. */
export function WatchTogetherButton({ conversationId, videoId }: { conversationId: string; videoId: string }) {
  const qc = useQueryClient();
  const [, setOpen] = useWatchViewOpen();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="watch-start">
      <Button
        variant="secondary"
       
        loading={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await watchTogether(qc, conversationId, videoId);
            setOpen(true);
          } catch (err) {
            setError(describeError(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <IconVideo size={18} /> Watch together
      </Button>
      {error && (
        <span className="watch-start__error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/**
 * The chat with the watch-together view (UI.md "Watch together"): the clip on top on phones and
 * beside the conversation on wide screens, participants' avatars and floating reactions over it.
 * While a session runs and the view is closed, a bar invites the person to join.
 */
export function WatchLayout({ conversation, children }: { conversation: Conversation; children: ReactNode }) {
  const id = conversation.id;
  const qc = useQueryClient();
  const session = useWatchSession(id);
  const [open, setOpen] = useWatchViewOpen();
  useRealtimeFrames((f) => {
    if (f.type === 'watch.state' && f.conversationId === id) applyWatchState(qc, id, f.session);
  });
  const s = session.data ?? null;
  return (
    <div className={`chat${open ? ' chat--watching' : ''}`}>
      {open ? (
        <WatchStage conversation={conversation} session={s} loading={session.isPending} onClose={() => setOpen(false)} />
      ) : (
        s && (
          <div className="watch-invite" role="status">
            <span className="watch-invite__faces">
              {s.participants.slice(0, 3).map((p) => (
                <Avatar key={p.id} username={p.username} name={p.displayName} src={p.avatarUrl} size={28} decorative />
              ))}
            </span>
            <span className="watch-invite__text">
              {s.participants.length > 0 ? (
                <>
                  <UserText>{s.participants[0]!.displayName}</UserText>
                  {s.participants.length > 1 ? ` and ${s.participants.length - 1} more are` : ' is'} watching a clip
                </>
              ) : (
                'A clip is ready to watch together'
              )}
            </span>
            <Button variant="primary" onClick={() => setOpen(true)}>
              Join
            </Button>
          </div>
        )
      )}
      <div className="chat__body">{children}</div>
    </div>
  );
}

interface Float {
  key: number;
  emoji: string;
  left: number;
}

function WatchStage({ conversation, session, loading, onClose }: { conversation: Conversation; session: WatchSession | null; loading: boolean; onClose: () => void }) {
  const id = conversation.id;
  const me = useMe().user;
  const qc = useQueryClient();
  const status = useRealtimeStatus();
  const videoRef = useRef<HTMLVideoElement>(null);
  const controllerRef = useRef<WatchSyncController | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [muted, setMuted] = useState(true);
  const [position, setPosition] = useState({ at: 0, of: 0 });
  const [floats, setFloats] = useState<Float[]>([]);
  const floatKey = useRef(0);

  // In the view while the socket is up: join (again after a reconnect), leave when it closes.
  useEffect(() => {
    if (status !== 'online') return;
    realtime.send({ type: 'watch.join', conversationId: id });
    return () => void realtime.send({ type: 'watch.leave', conversationId: id });
  }, [status, id]);

  // The player and its sync controller live as long as the view.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const resolve = async (videoId: string): Promise<ClipSource> => {
      const { video: v } = await api<{ video: ClipSource }>(`/videos/${videoId}`);
      return v;
    };
    const player = new HtmlPlayer(video, resolve, (_vid, err) =>
      setProblem(err instanceof ApiError && err.status === 404 ? 'You can’t see this clip (it was removed or is private).' : describeError(err)),
    );
    const controller = new WatchSyncController({
      player,
      localNow,
      sendTime: (t0) => realtime.send({ type: 'time', t0 }),
      schedule: (fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
    });
    controllerRef.current = controller;
    controller.start();
    const ui = setInterval(() => setPosition({ at: video.currentTime * 1000, of: player.durationMs() ?? 0 }), 250);
    return () => {
      clearInterval(ui);
      controller.stop();
      player.destroy();
      controllerRef.current = null;
    };
  }, []);

  useEffect(() => {
    setProblem(null);
    controllerRef.current?.onState(session ? { videoId: session.videoId, playing: session.playing, positionMs: session.positionMs, at: session.at, rev: session.rev, sessionId: session.id } : null);
  }, [session]);

  const float = (emoji: string) => {
    const key = ++floatKey.current;
    setFloats((f) => [...f.slice(-12), { key, emoji, left: 10 + Math.random() * 70 }]);
    setTimeout(() => setFloats((f) => f.filter((x) => x.key !== key)), 2_600);
  };

  useRealtimeFrames((f) => {
    if (f.type === 'time') controllerRef.current?.onTime(f);
    else if (f.type === 'message' && f.message.conversationId === id && f.message.senderId !== me.id && f.message.text && ONE_EMOJI.test(f.message.text.trim())) {
      float(f.message.text.trim());
    }
  });

  const control = (action: 'play' | 'pause' | 'seek', positionMs?: number) => realtime.send({ type: 'watch.control', conversationId: id, action, ...(positionMs !== undefined && { positionMs: Math.round(positionMs) }) });
  const react = (emoji: string) => {
    float(emoji);
    chatOutbox.send(conversation, emoji);
  };
  const fmt = (ms: number) => {
    const s = Math.max(0, Math.floor(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };

  return (
    <section className="watch-stage" aria-label="Watching together">
      <video ref={videoRef} className="watch-stage__video" playsInline muted={muted} preload="auto" data-testid="watch-video" />
      <div className="watch-stage__top">
        <ul className="watch-stage__faces" aria-label="Watching now">
          {(session?.participants ?? []).map((p) => (
            <li key={p.id} title={p.displayName}>
              <Avatar username={p.username} name={p.displayName} src={p.avatarUrl} size={32} />
            </li>
          ))}
        </ul>
        <button type="button" className="watch-stage__icon" aria-label="Close watch together" onClick={onClose}>
          <IconClose size={22} />
        </button>
      </div>
      <div className="watch-stage__floats" aria-hidden="true">
        {floats.map((f) => (
          <span key={f.key} className="watch-float" style={{ left: `${f.left}%` }}>
            {f.emoji}
          </span>
        ))}
      </div>
      {(!session || problem || status !== 'online') && (
        <div className="watch-stage__message" role="status">
          {problem ??
            (status === 'offline'
              ? 'You’re offline. Playback syncs again when you’re back.'
              : status === 'connecting'
                ? 'Connecting…'
                : loading
                  ? 'Loading…'
                  : 'Nobody is watching right now. Tap “Watch together” on a clip in this chat to start.')}
        </div>
      )}
      {session && (
        <div className="watch-stage__controls">
          <div className="watch-stage__row">
            <button
              type="button"
              className="watch-stage__icon"
              aria-label={session.playing ? 'Pause for everyone' : 'Play for everyone'}
              onClick={() => control(session.playing ? 'pause' : 'play')}
            >
              {session.playing ? '❚❚' : '▶'}
            </button>
            <span className="watch-stage__time">
              {fmt(position.at)} / {fmt(position.of)}
            </span>
            <input
              className="watch-stage__seek"
              type="range"
              min={0}
              max={Math.max(1, Math.round(position.of))}
              step={100}
              value={Math.min(Math.round(position.at), Math.round(position.of))}
              aria-label="Seek for everyone"
              onChange={(e) => {
                const at = Number(e.currentTarget.value);
                setPosition((p) => ({ ...p, at }));
              }}
              onPointerUp={(e) => control('seek', Number(e.currentTarget.value))}
              onKeyUp={(e) => control('seek', Number(e.currentTarget.value))}
            />
            <button type="button" className="watch-stage__icon" aria-label={muted ? 'Sound on' : 'Sound off'} aria-pressed={!muted} onClick={() => setMuted((m) => !m)}>
              {muted ? '🔇' : '🔊'}
            </button>
          </div>
          <div className="watch-stage__row">
            {REACTIONS.map((r) => (
              <button key={r} type="button" className="watch-stage__react" aria-label={`Send ${r}`} onClick={() => react(r)}>
                {r}
              </button>
            ))}
            <button type="button" className="watch-stage__end" onClick={() => void endWatching(qc, id).catch((e) => setProblem(describeError(e)))}>
              End for all
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
