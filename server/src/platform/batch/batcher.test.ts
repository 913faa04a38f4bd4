import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Batcher', () => {
  it('runs items that arrive during a batch together as the next batch, in order', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number[], number>(
      async (items) => items,
      async (items) => {
        batches.push(items);
        await sleep(20);
        return items.map((i) => i * 10);
      },
      100,
    );
    const first = b.add(1);
    await sleep(5); // the first batch is committing now
    const rest = [2, 3, 4].map((i) => b.add(i));
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('prepares the next batch while the previous one commits, and commits them in order', async () => {
    const log: string[] = [];
    const b = new Batcher<number, number[], number>(
      async (items) => {
        log.push(`prepare ${items}`);
        await sleep(5);
        return items;
      },
      async (items) => {
        log.push(`commit ${items}`);
        await sleep(30);
        log.push(`committed ${items}`);
        return items;
      },
      100,
    );
    const first = b.add(1);
    await sleep(15); // 1 is committing
    const second = b.add(2);
    await Promise.all([first, second]);
    expect(log).toEqual(['prepare 1', 'commit 1', 'prepare 2', 'committed 1', 'commit 2', 'committed 2']);
  });

  it('splits at maxBatch and answers each item with its own result or error', async () => {
    const sizes: number[] = [];
    const b = new Batcher<number, null, string>(
      async () => null,
      async (_p, items) => {
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
      async (_p, items) => items,
      10,
    );
    await expect(Promise.all([b.add(1), b.add(2)])).rejects.toThrow('database away');
    expect(await b.add(3)).toBe(3);
  });
});
