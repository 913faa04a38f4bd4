import type { ZodType } from 'zod';
import type { FrameBytes } from './channels.ts';
import type { RealtimeConnection } from './connection.ts';

/** Any frame on the socket: a JSON object with a `type`. The app's unions are in packages/contracts (realtime.ts). */
export interface Frame {
  type: string;
}

/**
 * How a module handles one kind of client frame. The transport has already checked the
 * connection's budget and parsed the frame with `schema` (a bad one gets an `invalid_frame`
 * error naming the field); what `handle` throws becomes an `error` frame.
 */
export interface ClientFrameHandler<C, F extends Frame = Frame> {
  schema: ZodType<F>;
  /**
   * `sequential` (default): after the connection's earlier sequential frames finish (reads).
   * `concurrent`: at once; the handler keeps its own order (sends join the node's write batch in
   * arrival order). Both count against the frames a connection may have in flight.
   * `uncounted`: at once and not counted (cheap, throttled by the handler: typing).
   */
  mode?: 'sequential' | 'concurrent' | 'uncounted';
  /** The field the client matches an answer by (`clientMsgId`): a refusal for budget names it, so the client retries rather than waits. */
  ackField?: string;
  handle(ctx: C, conn: RealtimeConnection, frame: F): Promise<void> | void;
}

/**
 * A module's look at one type of frame on its way to one connection (the same frame object
 * and JSON go to everyone in the channel). Returns true to send it as is; false when it took
 * the frame over (held it, dropped a duplicate, sent something else).
 */
export type OutgoingFilter<C> = (ctx: C, conn: RealtimeConnection, frame: Frame, bytes: FrameBytes | undefined) => boolean;

/** What a module plugs into the real-time core (its `frames` in index.ts). */
export interface RealtimeFeature<C> {
  /** Client frames by type; a type may be registered by one module only. */
  client?: Record<string, ClientFrameHandler<C, any>>;
  /** Per-connection passes over outgoing frames, by type (one module per type). */
  outgoing?: Record<string, OutgoingFilter<C>>;
  /**
   * Runs at `hello`, before `ready` is sent and before frames that arrived meanwhile are let
   * through (set up baselines). May return work to do right after (replays).
   */
  hello?(ctx: C, conn: RealtimeConnection, hello: Frame): Promise<(() => Promise<void>) | undefined>;
  /** After pub/sub came back from an outage: frames may be lost; compare with the database. */
  resync?(ctx: C, conn: RealtimeConnection): Promise<void>;
}

/** The features joined: one handler per client frame type, one filter per outgoing type. */
export interface FrameRegistry<C> {
  client: ReadonlyMap<string, ClientFrameHandler<C, any>>;
  outgoing: ReadonlyMap<string, OutgoingFilter<C>>;
  hello: Array<NonNullable<RealtimeFeature<C>['hello']>>;
  resync: Array<NonNullable<RealtimeFeature<C>['resync']>>;
}

/** Frame types the transport answers itself. */
export const CORE_CLIENT_FRAMES = ['hello', 'ping'] as const;

/** Joins the features; a frame type claimed twice (or one of the core's) is an error, not a silent override. */
export function buildFrameRegistry<C>(features: ReadonlyArray<RealtimeFeature<C>>): FrameRegistry<C> {
  const client = new Map<string, ClientFrameHandler<C, any>>();
  const outgoing = new Map<string, OutgoingFilter<C>>();
  const problems: string[] = [];
  for (const f of features) {
    for (const [type, handler] of Object.entries(f.client ?? {})) {
      if (client.has(type) || (CORE_CLIENT_FRAMES as readonly string[]).includes(type)) problems.push(`client frame "${type}" has two handlers`);
      client.set(type, handler);
    }
    for (const [type, filter] of Object.entries(f.outgoing ?? {})) {
      if (outgoing.has(type)) problems.push(`outgoing frame "${type}" has two filters`);
      outgoing.set(type, filter);
    }
  }
  if (problems.length) throw new Error(`The real-time frames do not fit together: ${problems.join('; ')}`);
  return {
    client,
    outgoing,
    hello: features.flatMap((f) => (f.hello ? [f.hello] : [])),
    resync: features.flatMap((f) => (f.resync ? [f.resync] : [])),
  };
}
