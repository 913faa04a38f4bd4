// Where one chat message's delivery time goes in bench/live-chat.ts (BENCH_BREAKDOWN=1): the
// server runs in the bench process, so its rooms and fan-out can be timed from outside, without
// timing code in the server. Each message's text carries the sender's send time (`t=<ms>`);
// one machine, one clock. Stages:
//   sent → accepted    the chat frame read, every rule checked, the message stored (queueChat)
//   accepted → flushed the batch window (the `live.chat` frame published)
//   flushed → 1st      until the fan-out hands it to its first socket
//   1st → last         the fan-out's spread: its first socket to its last
//   sent → written     when each viewer's socket was handed the bytes (per socket, per message)
// The viewers' own figure (sent → read) less `sent → written` is the read side: the kernel,
// the viewer processes' event loops.
import { performance } from 'node:perf_hooks';
import { LiveRooms } from '../../server/src/modules/live/live-rooms.ts';
import { ChannelHub } from '../../server/src/platform/realtime/channels.ts';
import type { RealtimeConnection } from '../../server/src/platform/realtime/connection.ts';
import { RealtimeServer } from '../../server/src/platform/realtime/transport.ts';

const STEP_MS = 0.5;
const BUCKETS = 120_000;

class Hist {
  private readonly counts = new Uint32Array(BUCKETS);
  n = 0;
  private sum = 0;
  add(ms: number, times = 1) {
    if (!Number.isFinite(ms)) return;
    this.counts[Math.min(BUCKETS - 1, Math.max(0, Math.floor(ms / STEP_MS)))]! += times;
    this.n += times;
    this.sum += ms * times;
  }
  pct(p: number): number {
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= (p / 100) * this.n) return (i + 1) * STEP_MS;
    }
    return Number.NaN;
  }
  line(name: string) {
    return `${name.padEnd(22)} n ${String(this.n).padStart(9)}  mean ${(this.sum / (this.n || 1)).toFixed(1).padStart(7)}  p50 ${this.pct(50).toFixed(1).padStart(7)}  p99 ${this.pct(99).toFixed(1).padStart(7)} ms`;
  }
}

const now = () => performance.timeOrigin + performance.now();
const stampOf = (text: string) => {
  const i = text.lastIndexOf('t=');
  return i < 0 ? Number.NaN : Number.parseFloat(text.slice(i + 2));
};

interface ChatFrame {
  type: string;
  messages?: Array<{ id: string; text: string }>;
}

/** Patches the server's classes (this process only); returns the report. Call before the server starts. */
export function instrumentLiveChat() {
  const h = { accepted: new Hist(), batch: new Hist(), toFirst: new Hist(), spread: new Hist(), written: new Hist() };
  const acceptedAt = new Map<string, number>();
  const flushedAt = new Map<string, number>();
  /** Each distinct list of frames the fan-out handed out (a range: shared by many sockets), with its first and last hand-over. */
  const ranges: Array<{ ids: string[]; stamps: number[]; first: number; last: number }> = [];
  const chatOf = new WeakMap<object, (typeof ranges)[number]>();
  let writes = 0;
  let leftQueued = 0;
  let on = false;

  const queueChat = LiveRooms.prototype.queueChat;
  LiveRooms.prototype.queueChat = function (this: LiveRooms, liveId, message) {
    if (on) {
      const t = now();
      acceptedAt.set(message.id, t);
      h.accepted.add(t - stampOf(message.text));
    }
    return queueChat.call(this, liveId, message);
  };

  const hub = ChannelHub.prototype as unknown as Record<string, (this: unknown, ...a: any[]) => unknown>;
  const publishedOn = hub.publishedOn!;
  hub.publishedOn = function (ch, frame: ChatFrame, text) {
    if (on && frame.type === 'live.chat') {
      const t = now();
      for (const m of frame.messages ?? []) {
        h.batch.add(t - (acceptedAt.get(m.id) ?? Number.NaN));
        flushedAt.set(m.id, t);
      }
    }
    return publishedOn.call(this, ch, frame, text);
  };

  // A room's frames handed to one socket as bytes framed once for all (the fan-out's path for a big room).
  const server = RealtimeServer.prototype as unknown as Record<string, (this: unknown, ...a: any[]) => unknown>;
  const deliverPass = server.deliverPass!;
  server.deliverPass = function (conn: RealtimeConnection, frames: ReadonlyArray<readonly [ChatFrame, unknown]>, shared) {
    const wrote = deliverPass.call(this, conn, frames, shared);
    if (!on || !wrote) return wrote;
    let chat = chatOf.get(frames);
    if (!chat) {
      chat = { ids: [], stamps: [], first: 0, last: 0 };
      for (const [frame] of frames) {
        if (frame.type !== 'live.chat') continue;
        for (const m of frame.messages ?? []) {
          chat.ids.push(m.id);
          chat.stamps.push(stampOf(m.text));
        }
      }
      chatOf.set(frames, chat);
      ranges.push(chat);
    }
    if (!chat.ids.length) return wrote;
    const t = now();
    for (const s of chat.stamps) h.written.add(t - s);
    if (!chat.first) chat.first = t;
    chat.last = t;
    writes += 1;
    // What the kernel would not take at once (the viewer's receive buffer full): Node holds it.
    if (((conn.ws as unknown as { _socket?: { writableLength: number } })._socket?.writableLength ?? 0) > 0) leftQueued += 1;
    return wrote;
  };

  return {
    start() {
      on = true;
    },
    report(): string {
      on = false;
      const first = new Map<string, number>();
      const last = new Map<string, number>();
      for (const r of ranges) {
        if (!r.first) continue;
        for (const id of r.ids) {
          first.set(id, Math.min(first.get(id) ?? Number.POSITIVE_INFINITY, r.first));
          last.set(id, Math.max(last.get(id) ?? 0, r.last));
        }
      }
      for (const [id, t] of first) {
        h.toFirst.add(t - (flushedAt.get(id) ?? Number.NaN));
        h.spread.add(last.get(id)! - t);
      }
      return [
        'Where the time goes (BENCH_BREAKDOWN; per message, and per message per socket for "written"):',
        h.accepted.line('sent → accepted'),
        h.batch.line('accepted → flushed'),
        h.toFirst.line('flushed → 1st socket'),
        h.spread.line('1st → last socket'),
        h.written.line('sent → socket written'),
        `writes of chat to sockets ${writes}; left queued in Node (the kernel's buffer full) ${leftQueued}`,
      ].join('\n');
    },
  };
}
