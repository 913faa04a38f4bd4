/**
 * `npm run -s recommend:offline -- --train FILE --k 10 --out FILE` (API.md "Offline runner").
 *
 * Reads `user<TAB>item<TAB>weight<TAB>timestamp` lines, fits Loop's recommender on them (the
 * code the worker runs for For You: its blend chosen on rows held out from this file) and
 * writes `user<TAB>item,item,…` — the `k` best clips, none the person has in the file — for
 * every person in the file. Progress goes to stderr; stdout stays quiet.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { buildInteractions, fitRecommender, type Interaction, recommendForUser } from '../modules/recommender/index.ts';

/** Parses the training file; malformed lines and non-positive weights are skipped (and counted). */
export function parseTrainingFile(text: string): { rows: Interaction[]; skipped: number } {
  const rows: Interaction[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    const t = line.replace(/\r$/, '');
    if (!t.trim()) continue;
    const [user, item, w, ts] = t.split('\t');
    const weight = w === undefined || w === '' ? 1 : Number(w);
    const time = ts === undefined || ts === '' ? 0 : Number(ts);
    if (!user || !item || !(weight > 0) || !Number.isFinite(weight) || !Number.isFinite(time)) {
      skipped++;
      continue;
    }
    rows.push({ user, item, weight, time });
  }
  return { rows, skipped };
}

async function main() {
  const { values } = parseArgs({ options: { train: { type: 'string' }, k: { type: 'string', default: '10' }, out: { type: 'string' } } });
  const k = Number(values.k);
  if (!values.train || !values.out || !Number.isInteger(k) || k < 1) {
    process.stderr.write('usage: npm run -s recommend:offline -- --train FILE --k 10 --out FILE\n');
    process.exit(2);
  }
  const t0 = performance.now();
  const { rows, skipped } = parseTrainingFile(fs.readFileSync(values.train, 'utf8'));
  const data = buildInteractions(rows);
  const log = (s: string) => process.stderr.write(`[recommend:offline ${((performance.now() - t0) / 1000).toFixed(1)} s] ${s}\n`);
  log(`${rows.length} rows (${skipped} skipped), ${data.users.length} people, ${data.items.length} clips`);
  const model = await fitRecommender(data);
  if (model.validation) log(`blend: ${model.validation.chosen} (validation NDCG@10 ${model.validation.ndcg[model.validation.chosen]!.toFixed(4)})`);
  const out = fs.openSync(values.out, 'w');
  let buf = '';
  for (let u = 0; u < data.users.length; u++) {
    buf += `${data.users[u]}\t${recommendForUser(model, u, k)
      .map((c) => data.items[c.i])
      .join(',')}\n`;
    if (buf.length > 1 << 16) {
      fs.writeSync(out, buf);
      buf = '';
    }
  }
  fs.writeSync(out, buf);
  fs.closeSync(out);
  log(`wrote ${data.users.length} people to ${values.out}`);
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === import.meta.filename) await main();
