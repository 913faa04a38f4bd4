import type { Message } from '@loop/contracts';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { notifyUnauthorized } from '../../app/query-client.ts';

/** The server closes a socket with this code when its session ended (signed out, expired). */
const CLOSE_SIGNED_OUT = 4001;

/**
 * The app's one WebSocket to /api/v1/ws (the session cookie authenticates it). It reconnects by
 * itself (with backoff, and at once when the browser comes back online), says what it already has
 * with `hello.resume`, and re-sends every unacknowledged message under the same clientMsgId, so a
 * flaky network never loses or doubles a message. Screens subscribe to frames.
 */
export type ChatStatus = 'connecting' | 'online' | 'offline';
type Listener = (frame: any) => void;

export interface PendingSend {
  clientMsgId: string;
  conversationId: string;
  text: string;
  replyToSeq?: number;
  failed?: string;
}

class ChatSocket {
  private ws: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private statusListeners = new Set<() => void>();
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  status: ChatStatus = 'connecting';
  /** The highest seq this tab holds per conversation: what `hello.resume` asks after. */
  readonly lastSeq = new Map<string, number>();
  /** Sent but not yet acknowledged, in order. */
  readonly pending = new Map<string, PendingSend>();

  private users = 0;
  private watching = false;
  private activeSentAt = 0;

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
        this.frame({ type: 'ping' });
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
    this.ws?.close();
    this.ws = null;
    this.lastSeq.clear();
    this.pending.clear();
  }

  private setStatus(s: ChatStatus) {
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
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', resume: Object.fromEntries(this.lastSeq) }));
    ws.onmessage = (e) => {
      let frame: any;
      try {
        frame = JSON.parse(String(e.data));
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        this.retry = 0;
        this.setStatus('online');
        for (const p of this.pending.values()) if (!p.failed) this.transmit(p);
      }
      if (frame.type === 'message') this.noteSeq(frame.message.conversationId, frame.message.seq);
      if (frame.type === 'ack') this.pending.delete(frame.clientMsgId);
      if (frame.type === 'error' && frame.clientMsgId) {
        const p = this.pending.get(frame.clientMsgId);
        if (p) p.failed = frame.detail;
      }
      for (const l of this.listeners) l(frame);
    };
    ws.onclose = (e) => {
      if (this.ws === ws) this.ws = null;
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

  noteSeq(conversationId: string, seq: number) {
    if (seq > (this.lastSeq.get(conversationId) ?? 0)) this.lastSeq.set(conversationId, seq);
  }

  private transmit(p: PendingSend) {
    if (this.ws?.readyState === WebSocket.OPEN && this.status === 'online') {
      this.ws.send(JSON.stringify({ type: 'send', conversationId: p.conversationId, clientMsgId: p.clientMsgId, text: p.text, ...(p.replyToSeq ? { replyToSeq: p.replyToSeq } : {}) }));
    }
  }

  send(conversationId: string, text: string, replyToSeq?: number): PendingSend {
    const p: PendingSend = { clientMsgId: `w-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`, conversationId, text, replyToSeq };
    this.pending.set(p.clientMsgId, p);
    this.transmit(p);
    for (const l of this.listeners) l({ type: 'pending' });
    return p;
  }

  frame(f: unknown) {
    if (this.ws?.readyState === WebSocket.OPEN && this.status === 'online') this.ws.send(JSON.stringify(f));
  }

  subscribe(l: Listener) {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }

  subscribeStatus(l: () => void) {
    this.statusListeners.add(l);
    return () => void this.statusListeners.delete(l);
  }
}

export const chatSocket = new ChatSocket();

export function useChatStatus(): ChatStatus {
  return useSyncExternalStore(
    (l) => chatSocket.subscribeStatus(l),
    () => chatSocket.status,
    () => 'connecting' as const,
  );
}

/** Calls `onFrame` for every frame while the component is mounted. */
export function useChatFrames(onFrame: (frame: any) => void) {
  const [handler] = useState(() => ({ current: onFrame }));
  handler.current = onFrame;
  useEffect(() => chatSocket.subscribe((f) => handler.current(f)), [handler]);
}

export type { Message };
