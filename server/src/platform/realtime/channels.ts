import type { Logger } from 'pino';
import type { PubSub } from '../pubsub/pubsub.ts';
import type { Frame } from './frames.ts';

/** A frame's JSON as it is written: made once per frame, shared by every socket that gets it. */
export type FrameBytes = string | Buffer;

/** Whoever receives a channel's frames on this node (a connection). */
export interface ChannelMember {
  receive(frame: Frame, bytes: FrameBytes): void;
  /** Writes out what it was given (a room's cursor hands each member its frames once per round: no reason to wait for the turn to end). */
  flush?(): void;
  /**
   * A room's frames this member has not had, all at once, with a cache shared by every member handed
   * the same frames (where a transport keeps them already encoded for the wire, made once for all).
   * False: hand them one by one with `receive` instead.
   */
  receivePass?(frames: ReadonlyArray<readonly [Frame, FrameBytes]>, shared: PassCache): boolean;
}

/** What the members handed the same frames of a room share (filled by the first member that needs it). */
export interface PassCache {
  wire?: Buffer | null;
}

/** Members handed frames per turn of the event loop when a room fans out: bounds how long one turn takes. */
export const FAN_OUT_CHUNK = 500;

interface Channel {
  ready: Promise<() => Promise<void>>;
  /**
   * A room's frames, numbered in publish order: `log[0]` is number `base`, the next one published
   * gets `head`. Kept until every member was handed them (the fan-out's cursor went past it).
   */
  log: Array<[Frame, FrameBytes]>;
  base: number;
  head: number;
  /** The members, each with the number of the first frame it has not been handed yet (`head` when it joined). */
  next: Map<ChannelMember, number>;
  /** The room's fan-out is running (frames go to the log, not straight to the members). */
  cycling: boolean;
}

/**
 * The channels sockets on this node have joined, each subscribed once on pub/sub however many
 * sockets joined it (reference-counted; the last to leave unsubscribes). A frame published on a
 * channel arrives with its JSON, made once by the publisher; it is encoded to bytes once and
 * those same bytes go to every member (a string would be encoded again for each socket).
 *
 * A channel with few members (a person's, a conversation's) gets each frame at once. A room
 * with thousands is fanned out by a cursor going round its members, FAN_OUT_CHUNK per turn of
 * the event loop, so one frame to 10,000 viewers never stalls the node for long. The cursor hands
 * each member everything published since it last came by, in one write: under load several
 * frames share a write (one per member per round, however many frames). A frame published while
 * the cursor is mid-round is picked up by the members still ahead of it in that same round, and
 * by those behind it in the next: a frame waits at most one round for any member, not the rest
 * of the running round and then its place in the next (that was the tail of a busy room's latency).
 */
export class ChannelHub {
  private readonly channels = new Map<string, Channel>();

  constructor(
    private readonly pubsub: PubSub,
    private readonly log: Logger,
    private readonly chunk = FAN_OUT_CHUNK,
  ) {}

  /** Resolves once the channel's pub/sub subscription is in place. */
  async join(name: string, member: ChannelMember): Promise<void> {
    let ch = this.channels.get(name);
    if (!ch) {
      const created: Channel = { ready: Promise.resolve(async () => {}), log: [], base: 0, head: 0, next: new Map(), cycling: false };
      created.ready = this.pubsub.subscribe(name, (payload, text) => this.publishedOn(created, payload as Frame, text));
      ch = created;
      this.channels.set(name, ch);
    }
    // Only what is published from now on.
    if (!ch.next.has(member)) ch.next.set(member, ch.head);
    await ch.ready;
  }

  leave(name: string, member: ChannelMember) {
    const ch = this.channels.get(name);
    if (!ch) return;
    ch.next.delete(member);
    if (ch.next.size === 0) {
      this.channels.delete(name);
      ch.log.length = 0;
      ch.ready.then((unsubscribe) => unsubscribe()).catch((err) => this.log.warn({ err }, 'unsubscribe failed'));
    }
  }

  /** Members on this node (0 when nobody here joined it). */
  size(name: string): number {
    return this.channels.get(name)?.next.size ?? 0;
  }

  private publishedOn(ch: Channel, frame: Frame, text: string) {
    const bytes = ch.next.size > 1 ? Buffer.from(text) : text;
    if (!ch.cycling && ch.next.size <= this.chunk) {
      for (const m of ch.next.keys()) m.receive(frame, bytes);
      return;
    }
    ch.log.push([frame, bytes]);
    ch.head += 1;
    if (!ch.cycling) this.round(ch);
  }

  /**
   * One round of the cursor over the room's members, a chunk per turn: each member is handed the
   * frames from its `next` to the `head` of the moment (one slice and one shared cache per distinct
   * range, a few per turn however many members); then another round if any member is still behind.
   */
  private round(ch: Channel) {
    ch.cycling = true;
    if (ch.next.size === 0) {
      ch.cycling = false;
      return;
    }
    const startHead = ch.head;
    const members = [...ch.next.keys()];
    let i = 0;
    // The ranges handed out since `head` last moved, by their start: shared by every member that needs the same one.
    let ranges = new Map<number, { frames: ReadonlyArray<readonly [Frame, FrameBytes]>; shared: PassCache }>();
    let rangesHead = ch.head;
    const step = () => {
      // Nothing is published during a turn's loop (pub/sub delivers in turns of its own): one head per turn.
      const head = ch.head;
      if (head !== rangesHead) {
        ranges = new Map();
        rangesHead = head;
      }
      const end = Math.min(i + this.chunk, members.length);
      for (; i < end; i++) {
        const m = members[i]!;
        const from = ch.next.get(m);
        // Left (nothing more for it), or has everything already.
        if (from === undefined || from >= head) continue;
        ch.next.set(m, head);
        let range = ranges.get(from);
        if (!range) {
          range = { frames: ch.log.slice(from - ch.base, head - ch.base), shared: {} };
          ranges.set(from, range);
        }
        if (m.receivePass?.(range.frames, range.shared)) continue;
        for (const [frame, bytes] of range.frames) m.receive(frame, bytes);
        m.flush?.();
      }
      if (i < members.length) return void setImmediate(step);
      // Every member of the round now has the frames up to `startHead` at least (those that joined
      // since were handed nothing older than their joining): the log can let them go.
      ch.log.splice(0, startHead - ch.base);
      ch.base = startHead;
      // Frames came during the round: those behind the cursor need them, in a round (and a turn) of its own.
      if (ch.head > startHead && ch.next.size) setImmediate(() => this.round(ch));
      else ch.cycling = false;
    };
    step();
  }
}
