import type { Logger } from 'pino';
import type { PubSub } from '../pubsub/pubsub.ts';
import type { Frame } from './frames.ts';

/** A frame's JSON as it is written: made once per frame, shared by every socket that gets it. */
export type FrameBytes = string | Buffer;

/** Whoever receives a channel's frames on this node (a connection). */
export interface ChannelMember {
  receive(frame: Frame, bytes: FrameBytes): void;
  /** Writes out what it was given (a room's pass hands each member its frames once per pass: no reason to wait for the turn to end). */
  flush?(): void;
}

/** Members handed frames per turn of the event loop when a room fans out: bounds how long one turn takes. */
export const FAN_OUT_CHUNK = 500;

interface Channel {
  members: Set<ChannelMember>;
  ready: Promise<() => Promise<void>>;
  /** Frames published while a fan-out pass was running: the next pass takes them all. */
  queued: Array<[Frame, FrameBytes]>;
  passing: boolean;
}

/**
 * The channels sockets on this node have joined, each subscribed once on pub/sub however many
 * sockets joined it (reference-counted; the last to leave unsubscribes). A frame published on a
 * channel arrives with its JSON, made once by the publisher; it is encoded to bytes once and
 * those same bytes go to every member (a string would be encoded again for each socket).
 *
 * A channel with few members (a person's, a conversation's) gets each frame at once. A room
 * with thousands is handed frames in passes: a pass gives every member everything queued since
 * the last one, FAN_OUT_CHUNK members per turn of the event loop, so one frame to 10,000
 * viewers never stalls the node for long, and under load several frames share a pass: each
 * member's frames of a pass leave in one write, made as soon as it has them.
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
      const created: Channel = { members: new Set(), ready: Promise.resolve(async () => {}), queued: [], passing: false };
      created.ready = this.pubsub.subscribe(name, (payload, text) => this.publishedOn(created, payload as Frame, text));
      ch = created;
      this.channels.set(name, ch);
    }
    ch.members.add(member);
    await ch.ready;
  }

  leave(name: string, member: ChannelMember) {
    const ch = this.channels.get(name);
    if (!ch) return;
    ch.members.delete(member);
    if (ch.members.size === 0) {
      this.channels.delete(name);
      ch.queued.length = 0;
      ch.ready.then((unsubscribe) => unsubscribe()).catch((err) => this.log.warn({ err }, 'unsubscribe failed'));
    }
  }

  /** Members on this node (0 when nobody here joined it). */
  size(name: string): number {
    return this.channels.get(name)?.members.size ?? 0;
  }

  private publishedOn(ch: Channel, frame: Frame, text: string) {
    const bytes = ch.members.size > 1 ? Buffer.from(text) : text;
    if (!ch.passing && ch.members.size <= this.chunk) {
      for (const m of ch.members) m.receive(frame, bytes);
      return;
    }
    ch.queued.push([frame, bytes]);
    if (!ch.passing) this.pass(ch);
  }

  /** One pass: everything queued so far to every member, a chunk per turn; then the next pass if more came. */
  private pass(ch: Channel) {
    ch.passing = true;
    if (ch.members.size === 0) {
      ch.passing = false;
      return;
    }
    const frames = ch.queued.splice(0);
    const members = [...ch.members];
    let i = 0;
    const step = () => {
      const end = Math.min(i + this.chunk, members.length);
      for (; i < end; i++) {
        const m = members[i]!;
        // Left during the pass: nothing more for it.
        if (!ch.members.has(m)) continue;
        for (const [frame, bytes] of frames) m.receive(frame, bytes);
        m.flush?.();
      }
      if (i < members.length) return void setImmediate(step);
      // The next pass starts in a turn of its own, so no turn hands out more than one chunk.
      if (ch.queued.length && ch.members.size) setImmediate(() => this.pass(ch));
      else ch.passing = false;
    };
    step();
  }
}
