import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Batcher', () => {
  it('runs items that arrive during a write together as the next batch, in order', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number[], number>(
      async (items) => {
        batches.push(items);
        await sleep(20);
        return items;
      },
      async (items) => items.map((i) => i * 10),
      100,
    );
    const first = b.add(1);
    await sleep(5); // the first batch is being written now
    const rest = [2, 3, 4].map((i) => b.add(i));
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('writes the next batch while the previous one finishes, and finishes them in order', async () => {
    const log: string[] = [];
    const b = new Batcher<number, number[], number>(
      async (items) => {
        log.push(`write ${items}`);
        await sleep(10);
        log.push(`written ${items}`);
        return items;
      },
      async (items) => {
        log.push(`finish ${items}`);
        await sleep(30);
        log.push(`finished ${items}`);
        return items;
      },
      100,
    );
    const first = b.add(1);
    await sleep(5); // 1 is being written
    const second = b.add(2);
    await Promise.all([first, second]);
    expect(log).toEqual(['write 1', 'written 1', 'write 2', 'finish 1', 'written 2', 'finished 1', 'finish 2', 'finished 2']);
  });

  it('answers a batch whose write failed only after the batches before it', async () => {
    const answered: string[] = [];
    let writes = 0;
    const b = new Batcher<number, number[], number>(
      async (items) => {
        writes += 1;
        if (writes === 2) throw new Error('database away');
        return items;
      },
      async (items) => {
        await sleep(30);
        return items;
      },
      100,
    );
    const first = b.add(1).then(() => answered.push('1'));
    await sleep(5);
    const second = b.add(2).catch(() => answered.push('2 failed'));
    await Promise.all([first, second]);
    expect(answered).toEqual(['1', '2 failed']);
  });

  it('splits at maxBatch and answers each item with its own result or error', async () => {
    const sizes: number[] = [];
    const b = new Batcher<number, null, string>(
      async () => null,
      async (_w, items) => {
        sizes.push(items.length);
        return items.map((i) => (i % 2 ? new Error(`odd ${i}`) : `even ${i}`));
      },
      3,
    );
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => b.add(i)));
    expect(sizes).toEqual([3, 2]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['even 0', 'odd 1', 'even 2', 'odd 3', 'even 4']);
  });

  it('fails every item of a batch whose stage throws, and keeps working after', async () => {
    let calls = 0;
    const b = new Batcher<number, null, number>(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('database away');
        return null;
      },
      async (_w, items) => items,
      10,
    );
    await expect(Promise.all([b.add(1), b.add(2)])).rejects.toThrow('database away');
    expect(await b.add(3)).toBe(3);
  });

  it('with several writers, starts an item at once beside a running write, and still answers in order', async () => {
    const log: string[] = [];
    const b = new Batcher<number, number[], number>(
      async (items) => {
        log.push(`write ${items}`);
        // The first batch's write is the slow one.
        await sleep(items[0] === 1 ? 40 : 5);
        log.push(`written ${items}`);
        return items;
      },
      async (items) => items,
      100,
      2,
    );
    const answered: number[] = [];
    const first = b.add(1).then((r) => answered.push(r));
    await sleep(5); // 1 is being written
    const second = b.add(2).then((r) => answered.push(r));
    const third = b.add(3).then((r) => answered.push(r));
    await Promise.all([first, second, third]);
    // 2 and 3 (one batch) did not wait for 1's write; their answer did.
    expect(log).toEqual(['write 1', 'write 2,3', 'written 2,3', 'written 1']);
    expect(answered).toEqual([1, 2, 3]);
  });
});
