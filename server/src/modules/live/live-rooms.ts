import { randomUUID } from 'node:crypto';
import type { LiveChatMessage, LiveServerFrame } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import type { RealtimeConnection } from '../../platform/realtime/connection.ts';
import * as repo from './live.repo.ts';
import { toLiveView } from './live.presenter.ts';

/**
 * This node's side of live rooms (docs/live.md "Chat"). A room is the pub/sub channel
 * `live:<id>`, which the real-time core fans out in passes to the sockets that joined it, on
 * every node. This node adds, per live:
 * - chat batching: messages accepted here within LIVE_CHAT_BATCH_MS go out as one `live.chat`
 *   frame (serialised once, however many viewers);
 * - hearts: taps gathered here go out once a second as one `live.hearts` frame, and are added to
 *   the live's total;
 * - viewers: how many sockets here joined the room, written to `live_viewer_counts` every few
 *   seconds; the room's `live.state` (with the sum over nodes) is sent by one node per interval
 *   (a shared rate-limit window picks it, so two nodes do not both send it).
 * State lives per context (a process may hold several servers in tests), never in module globals.
 */

export const roomChannel = (liveId: string) => `live:${liveId}`;
/** Live rooms one socket may be in at once. */
export const MAX_ROOMS_PER_CONNECTION = 5;
const HEARTS_EVERY_MS = 1_000;
/** How long a room's snapshot is shared by the viewers who join meanwhile (a popular live's crowd arrives at once). */
const SNAPSHOT_SHARED_MS = 1_000;

interface Room {
  conns: Set<RealtimeConnection>;
}

export class LiveRooms {
  readonly nodeId = randomUUID();
  private readonly rooms = new Map<string, Room>();
  private readonly chatOut = new Map<string, LiveChatMessage[]>();
  private readonly hearts = new Map<string, number>();
  /** Rooms that emptied since the last count: their zero is written once. */
  private readonly emptied = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly snapshots = new Map<string, { at: number; snapshot: Promise<LiveSnapshot> }>();
  private stopped = false;

  constructor(private readonly ctx: AppContext) {
    const every = (ms: number, fn: () => Promise<void>) => {
      let running = false;
      const t = setInterval(() => {
        if (running || this.stopped) return;
        running = true;
        fn()
          .catch((err) => ctx.log.warn({ err }, 'live rooms tick failed'))
          .finally(() => {
            running = false;
          });
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(ctx.config.live.stateIntervalMs, () => this.stateTick());
    every(HEARTS_EVERY_MS, () => this.heartsTick());
  }

  stop() {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.rooms.clear();
  }

  publish(liveId: string, frame: LiveServerFrame): Promise<void> {
    if (frame.type !== 'live.chat' && frame.type !== 'live.hearts') this.changed(liveId);
    return this.ctx.pubsub.publish(roomChannel(liveId), frame);
  }

  /** Sockets on this node in the room. */
  localViewers(liveId: string): number {
    return this.rooms.get(liveId)?.conns.size ?? 0;
  }

  async join(liveId: string, conn: RealtimeConnection) {
    const joined = [...conn.channels].filter((c) => c.startsWith('live:')).length;
    if (!conn.channels.has(roomChannel(liveId)) && joined >= MAX_ROOMS_PER_CONNECTION) return false;
    let room = this.rooms.get(liveId);
    if (!room) {
      room = { conns: new Set() };
      this.rooms.set(liveId, room);
    }
    room.conns.add(conn);
    this.emptied.delete(liveId);
    await conn.join(roomChannel(liveId));
    return true;
  }

  leave(liveId: string, conn: RealtimeConnection) {
    conn.leave(roomChannel(liveId));
    const room = this.rooms.get(liveId);
    if (!room) return;
    room.conns.delete(conn);
    if (room.conns.size === 0) {
      this.rooms.delete(liveId);
      this.emptied.add(liveId);
    }
  }

  /**
   * The snapshot viewers get on joining, made once per second per room and shared (the live as
   * anyone sees it and its recent chat). Anything said, deleted or changed on this node makes a
   * new one; what another node did shows within a second (and reaches the room's sockets anyway).
   */
  sharedSnapshot(liveId: string, make: () => Promise<LiveSnapshot>): Promise<LiveSnapshot> {
    const now = Date.now();
    const hit = this.snapshots.get(liveId);
    if (hit && now - hit.at < SNAPSHOT_SHARED_MS) return hit.snapshot;
    if (this.snapshots.size > 1000) this.snapshots.clear();
    const snapshot = make();
    this.snapshots.set(liveId, { at: now, snapshot });
    snapshot.catch(() => this.snapshots.delete(liveId));
    return snapshot;
  }

  /** Something changed in the room: the next joiner gets a fresh snapshot. */
  changed(liveId: string) {
    this.snapshots.delete(liveId);
  }

  /** A message accepted on this node: it leaves with the others of the next ~100 ms. */
  queueChat(liveId: string, message: LiveChatMessage) {
    this.changed(liveId);
    let batch = this.chatOut.get(liveId);
    if (batch) return void batch.push(message);
    batch = [message];
    this.chatOut.set(liveId, batch);
    setTimeout(() => {
      this.chatOut.delete(liveId);
      this.publish(liveId, { type: 'live.chat', liveId, messages: batch }).catch((err) => this.ctx.log.warn({ err, liveId }, 'live chat publish failed'));
    }, this.ctx.config.live.chatBatchMs).unref();
  }

  addHearts(liveId: string, n: number) {
    this.hearts.set(liveId, (this.hearts.get(liveId) ?? 0) + n);
  }

  private async heartsTick() {
    if (this.hearts.size === 0) return;
    const batch = [...this.hearts];
    this.hearts.clear();
    for (const [liveId, count] of batch) {
      await repo.addHearts(this.ctx.db, liveId, count);
      await this.publish(liveId, { type: 'live.hearts', liveId, count });
    }
  }

  /** Counts this node's viewers (dropping sockets that closed), writes them, and sends `live.state` where this node's turn it is. */
  private async stateTick() {
    const counts: Array<{ liveId: string; viewers: number }> = [];
    for (const [liveId, room] of this.rooms) {
      for (const c of room.conns) if (c.closed || !c.channels.has(roomChannel(liveId))) room.conns.delete(c);
      if (room.conns.size === 0) {
        this.rooms.delete(liveId);
        this.emptied.add(liveId);
      } else counts.push({ liveId, viewers: room.conns.size });
    }
    for (const liveId of this.emptied) counts.push({ liveId, viewers: 0 });
    this.emptied.clear();
    await repo.writeViewerCounts(this.ctx.db, this.nodeId, counts);
    const interval = this.ctx.config.live.stateIntervalMs;
    for (const { liveId, viewers } of counts) {
      if (viewers === 0) continue;
      // One node per window sends the room its state (a shared counter with Redis).
      const turn = await this.ctx.rateLimiter.hit(`live-state:${liveId}`, 1, interval);
      if (!turn.allowed) continue;
      await this.publishState(liveId);
    }
  }

  /** Sends the room the live as anyone sees it (viewer count summed over nodes, pin, settings). */
  async publishState(liveId: string) {
    const row = await repo.findLive(this.ctx.db, liveId);
    if (!row) return;
    await this.publish(liveId, { type: 'live.state', live: await toLiveView(this.ctx, null, row) });
  }
}

export type LiveSnapshot = Extract<LiveServerFrame, { type: 'live.snapshot' }>;

const byContext = new WeakMap<AppContext, LiveRooms>();

/** This node's live rooms for the context, made on first use. */
export function liveRooms(ctx: AppContext): LiveRooms {
  let rooms = byContext.get(ctx);
  if (!rooms) {
    rooms = new LiveRooms(ctx);
    byContext.set(ctx, rooms);
  }
  return rooms;
}

/** Stops the context's rooms' timers (the server is closing). */
export function stopLiveRooms(ctx: AppContext) {
  byContext.get(ctx)?.stop();
  byContext.delete(ctx);
}
