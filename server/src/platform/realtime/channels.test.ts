import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLocalPubSub } from '../pubsub/pubsub.ts';
import { ChannelHub } from './channels.ts';
import { buildFrameRegistry } from './frames.ts';

const log = pino({ level: 'silent' });
const turn = () => new Promise((r) => setImmediate(r));
const settle = async () => {
  for (let i = 0; i < 20; i++) await turn();
};

/** A member that records what it got, and in which turn of the event loop. */
function recorder(turnOf: () => number) {
  const got: Array<{ type: string; n: number; bytes: string | Buffer; turn: number }> = [];
  return { got, receive: (frame: { type: string; n?: number }, bytes: string | Buffer) => got.push({ type: frame.type, n: frame.n ?? 0, bytes, turn: turnOf() }) };
}

describe('ChannelHub', () => {
  it('subscribes a channel once however many join, and unsubscribes when the last leaves', async () => {
    const pubsub = createLocalPubSub({ freezePayloads: true });
    let subscribes = 0;
    let unsubscribes = 0;
    const counting = {
      ...pubsub,
      async subscribe(channel: string, handler: (p: unknown, t: string) => void) {
        subscribes += 1;
        const off = await pubsub.subscribe(channel, handler);
        return async () => {
          unsubscribes += 1;
          await off();
        };
      },
    };
    const hub = new ChannelHub(counting, log);
    const a = recorder(() => 0);
    const b = recorder(() => 0);
    await Promise.all([hub.join('user:1', a), hub.join('user:1', b)]);
    expect(subscribes).toBe(1);
    await pubsub.publish('user:1', { type: 'x', n: 1 });
    await settle();
    expect([a.got.length, b.got.length]).toEqual([1, 1]);
    // The JSON the publisher made, encoded once: the same bytes for everyone.
    expect(String(a.got[0]!.bytes)).toBe('{"type":"x","n":1}');
    expect(a.got[0]!.bytes).toBe(b.got[0]!.bytes);
    hub.leave('user:1', a);
    expect(unsubscribes).toBe(0);
    hub.leave('user:1', b);
    await settle();
    expect([unsubscribes, hub.size('user:1')]).toEqual([1, 0]);
  });

  it('fans a room out in chunks, one pass per burst, each member getting every frame once and in order', async () => {
    const pubsub = createLocalPubSub({ freezePayloads: true });
    const hub = new ChannelHub(pubsub, log, 100);
    let turns = 0;
    const counter = () => {
      const loop = () => {
        turns += 1;
        if (counting) setImmediate(loop);
      };
      let counting = true;
      setImmediate(loop);
      return () => {
        counting = false;
      };
    };
    const stop = counter();
    const members = Array.from({ length: 450 }, () => recorder(() => turns));
    await Promise.all(members.map((m) => hub.join('room:1', m)));
    // Five frames published in one turn: the first starts a pass; the rest wait for the next one.
    for (let n = 1; n <= 5; n++) await pubsub.publish('room:1', { type: 'chat', n });
    // One member leaves while the room is being fanned out.
    await turn();
    hub.leave('room:1', members[449]!);
    await settle();
    stop();
    for (const m of members.slice(0, 449)) expect(m.got.map((g) => g.n)).toEqual([1, 2, 3, 4, 5]);
    expect(members[449]!.got.length).toBeLessThan(5);
    // 450 members, 100 a turn: no turn handed out more than 100 members' frames.
    const perTurn = new Map<number, Set<number>>();
    for (const [i, m] of members.entries()) for (const g of m.got) perTurn.set(g.turn, (perTurn.get(g.turn) ?? new Set()).add(i));
    expect(Math.max(...[...perTurn.values()].map((s) => s.size))).toBeLessThanOrEqual(100);
    expect(perTurn.size).toBeGreaterThan(4);
  });
});

describe('frame registry', () => {
  it('refuses a client frame type claimed twice, or one of the core’s own', () => {
    const handler = { schema: {} as never, handle: () => {} };
    expect(() => buildFrameRegistry([{ client: { send: handler } }, { client: { send: handler } }])).toThrow('client frame "send" has two handlers');
    expect(() => buildFrameRegistry([{ client: { hello: handler } }])).toThrow('client frame "hello" has two handlers');
    expect([...buildFrameRegistry([{ client: { send: handler } }, { client: { read: handler } }]).client.keys()]).toEqual(['send', 'read']);
  });
});

describe('a room pass with receivePass', () => {
  it('hands each member all the pass’s frames at once and shares one cache between them; members that decline get them one by one', async () => {
    const pubsub = createLocalPubSub({ freezePayloads: true });
    const hub = new ChannelHub(pubsub, log, 2);
    const caches = new Set<object>();
    const passes: string[][] = [];
    const taker = {
      receive: () => {
        throw new Error('a member that takes passes gets no single frames');
      },
      receivePass: (frames: ReadonlyArray<readonly [{ type: string }, unknown]>, shared: { wire?: Buffer | null }) => {
        caches.add(shared);
        shared.wire ??= Buffer.from(frames.map(([f]) => f.type).join(','));
        passes.push(frames.map(([f]) => f.type));
        return true;
      },
    };
    const decliner = { ...recorder(() => 0), receivePass: () => false };
    const plain = recorder(() => 0);
    for (const m of [taker, decliner, plain]) await hub.join('live:1', m);
    await pubsub.publish('live:1', { type: 'a' });
    await pubsub.publish('live:1', { type: 'b' });
    await settle();
    expect(passes.flat()).toEqual(['a', 'b']);
    // One cache per pass, never one per member.
    expect(caches.size).toBe(passes.length);
    expect(decliner.got.map((g) => g.type)).toEqual(['a', 'b']);
    expect(plain.got.map((g) => g.type)).toEqual(['a', 'b']);
  });
});

describe('a room fanned out by a cursor', () => {
  it('hands a frame published mid-round to the members still ahead in that round, with what they had not had, in one go', async () => {
    const pubsub = createLocalPubSub({ freezePayloads: true });
    const hub = new ChannelHub(pubsub, log, 100);
    // Each member records every hand-over (a write to its socket) as the list of frames it carried.
    const members = Array.from({ length: 300 }, () => {
      const handed: string[][] = [];
      return { handed, receive: () => {}, receivePass: (frames: ReadonlyArray<readonly [{ type: string }, unknown]>) => Boolean(handed.push(frames.map(([f]) => f.type))) };
    });
    for (const m of members) await hub.join('live:1', m);
    await pubsub.publish('live:1', { type: 'a' });
    // The cursor handed `a` to the first 100 members in that turn; `b` comes before it reaches the rest.
    await new Promise((r) => setImmediate(r));
    await pubsub.publish('live:1', { type: 'b' });
    await settle();
    // Ahead of the cursor: `a` and `b` in one hand-over (not `b` in a round after this one).
    for (const m of members.slice(200)) expect(m.handed).toEqual([['a', 'b']]);
    // Behind it: `b` in the next round. Every member has both, once each, in order.
    for (const m of members.slice(0, 100)) expect(m.handed).toEqual([['a'], ['b']]);
    for (const m of members) expect(m.handed.flat()).toEqual(['a', 'b']);
  });
});
