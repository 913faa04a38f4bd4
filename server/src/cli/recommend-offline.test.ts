import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrainingFile } from './recommend-offline.ts';

describe('recommend:offline', () => {
  it('skips malformed lines and non-positive weights, and reads missing weight/time as 1/0', () => {
    const { rows, skipped } = parseTrainingFile('a\tx\t2\t100\r\nb\ty\nc\tz\t0\t1\nbroken\n\nd\tw\tnan\t0\n');
    expect(rows).toEqual([
      { user: 'a', item: 'x', weight: 2, time: 100 },
      { user: 'b', item: 'y', weight: 1, time: 0 },
    ]);
    expect(skipped).toBe(3);
  });

  it('writes k clips per person, best first, none they already have', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-offline-'));
    // Two camps of 30 people; each watched 6 of the 10 clips of their camp.
    const lines: string[] = [];
    for (let p = 0; p < 30; p++) for (let k = 0; k < 6; k++) lines.push(`u${p}\t${p % 2 ? 'b' : 'a'}${(p + k * 3) % 10}\t1\t${k}`);
    fs.writeFileSync(path.join(dir, 'train.tsv'), `${lines.join('\n')}\n`);
    const file = (name: string) => path.join(dir, name);
    execFileSync(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, 'recommend-offline.ts'), '--train', file('train.tsv'), '--k', '3', '--out', file('out.tsv')], {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      stdio: 'pipe',
    });
    const out = fs.readFileSync(path.join(dir, 'out.tsv'), 'utf8').trim().split('\n');
    expect(out).toHaveLength(30);
    const seen = new Set(lines.map((l) => l.split('\t').slice(0, 2).join(' ')));
    for (const line of out) {
      const [user, list] = line.split('\t');
      const items = list!.split(',');
      expect(items).toHaveLength(3);
      for (const i of items) expect(seen.has(`${user} ${i}`)).toBe(false);
      // Their own camp's clips come first.
      expect(items[0]![0]).toBe(Number(user!.slice(1)) % 2 ? 'b' : 'a');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
