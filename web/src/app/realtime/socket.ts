import type { ClientFrame, ServerFrame } from '@loop/contracts';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { notifyUnauthorized } from '../query-client.ts';

/** The server closes a socket with this code when its session ended (signed out, expired). */
const CLOSE_SIGNED_OUT = 4001;

export type RealtimeStatus = 'connecting' | 'online' | 'offline';
type HelloFrame = Extract<ClientFrame, { type: 'hello' }>;

/**
 * What a feature plugs into the connection (it knows nothing of features itself). Chat's outbox
 * (features/inbox/chat-outbox.ts) is one: it adds `resume` to `hello`, sends its queue on `ready`,
 * settles on `ack`, and forgets what was in flight when the socket closes.
 */
export interface RealtimePlugin {
  /** Fields added to the `hello` frame each connection opens with. */
  hello?: () => Partial<Omit<HelloFrame, 'type'>>;
  /** Every frame, before the screens subscribed with `useRealtimeFrames` see it. */
  frame?: (frame: ServerFrame) => void;
  /** The socket closed (it will reconnect unless stopped or offline). */
  closed?: () => void;
  /** The last user stopped the socket. */
  stopped?: () => void;
}

/**
 * The app's one WebSocket to /api/v1/ws (the session cookie authenticates it), shared by every
 * feature. It reconnects by itself (with backoff, and at once when the browser comes back online),
 * opens with `hello` (plus what plugins add) and is `online` once the server answers `ready`.
 * Screens subscribe to frames (`useRealtimeFrames`) and to the status (`useRealtimeStatus`).
 */
class RealtimeSocket {
  private ws: WebSocket | null = null;
  private readonly listeners = new Set<(frame: ServerFrame) => void>();
  private readonly statusListeners = new Set<() => void>();
  private readonly plugins = new Set<RealtimePlugin>();
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  private users = 0;
  private watching = false;
  private activeSentAt = 0;
  status: RealtimeStatus = 'connecting';

  /** Adds a plugin; returns its removal. */
  plug(plugin: RealtimePlugin) {
    this.plugins.add(plugin);
    return () => void this.plugins.delete(plugin);
  }

  /** Reference-counted: the socket stays up while anything that needs it is mounted. */
  start() {
    this.users += 1;
    if (this.started) return;
    this.started = true;
    if (!this.watching) {
      this.watching = true;
      window.addEventListener('online', () => this.connectNow());
      window.addEventListener('offline', () => this.ws?.close());
      // The server sends push notifications only to people who are away: a tab in use says so
      // with a ping now and then (at most every 20 s, only while it is visible and touched).
      const active = () => {
        if (document.visibilityState !== 'visible' || Date.now() - this.activeSentAt < 20_000) return;
        this.activeSentAt = Date.now();
        this.send({ type: 'ping' });
      };
      for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) window.addEventListener(type, active, { passive: true, capture: true });
      document.addEventListener('visibilitychange', active);
    }
    this.connect();
  }

  stop() {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0) return;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    // Let go of the socket: its late events (close, a last frame) are ignored below.
    this.ws?.close();
    this.ws = null;
    this.setStatus('connecting');
    for (const p of this.plugins) p.stopped?.();
  }

  /** True while a frame written now reaches the server: the socket is open and `ready` came. */
  isReady() {
    return this.ws?.readyState === WebSocket.OPEN && this.status === 'online';
  }

  /** Writes a frame if the socket is ready; otherwise drops it (returns whether it went). */
  send(frame: ClientFrame): boolean {
    if (!this.isReady()) return false;
    this.ws?.send(JSON.stringify(frame));
    return true;
  }

  subscribe(l: (frame: ServerFrame) => void) {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }

  subscribeStatus(l: () => void) {
    this.statusListeners.add(l);
    return () => void this.statusListeners.delete(l);
  }

  private setStatus(s: RealtimeStatus) {
    this.status = s;
    for (const l of this.statusListeners) l();
  }

  private connectNow() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.ws) this.connect();
  }

  private connect() {
    if (!this.started) return;
    if (!navigator.onLine) {
      this.setStatus('offline');
      return;
    }
    this.setStatus('connecting');
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${location.host}/api/v1/ws`);
    this.ws = ws;
    // Events of a socket this client let go of (stopped, or replaced since) are ignored: a late
    // close of the old socket must not mark the new one down and open a third beside it.
    ws.onopen = () => {
      if (this.ws !== ws) return;
      let hello: HelloFrame = { type: 'hello' };
      for (const p of this.plugins) if (p.hello) hello = { ...hello, ...p.hello() };
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws) return;
      let frame: ServerFrame;
      try {
        // The server's frames are typed by the contracts' union; it is not re-validated here.
        frame = JSON.parse(String(e.data)) as ServerFrame;
      } catch {
        return;
      }
      if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') return;
      if (frame.type === 'ready') {
        this.retry = 0;
        this.setStatus('online');
      }
      for (const p of this.plugins) p.frame?.(frame);
      for (const l of this.listeners) l(frame);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const p of this.plugins) p.closed?.();
      // The session ended: the app re-checks it and goes back to sign-in, which stops this socket.
      // Until then it reconnects as usual (and is refused if the session is really gone).
      if (e.code === CLOSE_SIGNED_OUT) notifyUnauthorized();
      this.setStatus(navigator.onLine ? 'connecting' : 'offline');
      if (!this.started || !navigator.onLine) return;
      const delay = Math.min(10_000, 300 * 2 ** this.retry) * (0.5 + Math.random() / 2);
      this.retry += 1;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.connect();
      }, delay);
    };
  }
}

export const realtime = new RealtimeSocket();

/** Keeps the socket up while the calling component is mounted (and `enabled`). */
export function useRealtime(enabled = true) {
  useEffect(() => {
    if (!enabled) return;
    realtime.start();
    return () => realtime.stop();
  }, [enabled]);
}

export function useRealtimeStatus(): RealtimeStatus {
  return useSyncExternalStore(
    (l) => realtime.subscribeStatus(l),
    () => realtime.status,
    () => 'connecting' as const,
  );
}

/** Calls `onFrame` for every frame while the component is mounted. */
export function useRealtimeFrames(onFrame: (frame: ServerFrame) => void) {
  const [handler] = useState(() => ({ current: onFrame }));
  handler.current = onFrame;
  useEffect(() => realtime.subscribe((f) => handler.current(f)), [handler]);
}
