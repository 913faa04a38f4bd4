import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, startTestServer, type TestServer } from './harness.ts';
import { seedWorld, type World } from './seed-world.ts';

/**
 * Issue 11, acceptance 1: every operation in /api/v1/openapi.json, signed in (a person with
 * friends, chats, a clip and comments) and signed out, gets requests built from its own
 * schema and then spoiled: ids at and beyond the bigint range, NUL and lone surrogates in every
 * string (path, query, body), wrong types, huge and empty values, cursors from other lists,
 * bad %-escapes, malformed JSON and multipart. No answer may be a 5xx, and every error must be
 * problem+json with a `code`.
 *
 * The runs are seeded (FUZZ_SEED, mixed with each operation's name, so adding a route does not
 * reshuffle the others) and fast-check prints the seed, path and request on failure;
 * `FUZZ_SEED=<seed> FUZZ_RUNS=<n>` replays or widens a run; `FUZZ_REPORT=1` prints the statuses
 * each operation answered, `FUZZ_DEBUG=<operation name>` every request of that operation.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 1111);
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

// The server starts while the file is collected: the tests are one per operation it serves.
const s: TestServer = await startTestServer();
const operations = operationsOf(await (await fetch(`${s.url}/api/v1/openapi.json`)).json());
let w: World;
beforeAll(async () => {
  w = await seedWorld(s);
});
afterAll(() => s.close());

// ---- the OpenAPI document ----

type Schema = Record<string, any>;
interface Operation {
  method: string;
  /** `/api/v1/videos/{id}` */
  path: string;
  pathParams: Array<{ name: string; schema: Schema }>;
  queryParams: Array<{ name: string; schema: Schema }>;
  body: Schema | null;
}

function operationsOf(doc: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const params: any[] = op.parameters ?? [];
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
  // What ends the session or deletes the seeded objects runs last, so the rest meets real data.
  const rank = (o: Operation) => (o.path.endsWith('/auth/logout') ? 3 : o.path.endsWith('/me/password') ? 2 : o.method === 'DELETE' ? 1 : 0);
  return out.sort((x, y) => rank(x) - rank(y));
}

// ---- values ----

const BIGINT_EDGES = ['9223372036854775807', '9223372036854775808', '18446744073709551616', '9'.repeat(40), '0', '-1', '1.5', '1e3', '01', ' 1'];
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\ud83d\ude00',
  'abc\u202egnp.exe',
  '%FF',
  '%',
  '../..',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '\\',
  '{}',
  'null',
  'true',
  ...BIGINT_EDGES,
];
const HUGE_STRING = 'x'.repeat(300 * 1024);

/** Any UTF-16 code unit: lone surrogates and NUL included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(5000), HUGE_STRING) },
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, 2 ** 63, 1e308, -1e308, 0.5, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const anyJson = fc.oneof(anyText, anyNumber, fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), fc.jsonValue({ maxDepth: 3 }));

/** Ids of the seeded objects, those of the kind a field names first (`conversations/{id}`, `videoId`, `userIds`). */
function realIds(name: string): string[] {
  const all = [w.a.id, w.b.id, w.c.id, w.conversationId, w.videoId, w.commentId];
  const mostly = (...ids: string[]) => [...ids, ...ids, ...ids, ...ids, ...all];
  if (/conversation/i.test(name)) return mostly(w.conversationId);
  if (/video/i.test(name)) return mostly(w.videoId);
  if (/comment/i.test(name)) return mostly(w.commentId);
  if (/user|member/i.test(name)) return mostly(w.b.id, w.c.id);
  return all;
}
/** Ids a route may meet: the seeded ones (most often), and both sides of the bigint maximum. */
const idLike = (name: string) =>
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...realIds(name)) }, { weight: 1, arbitrary: fc.constantFrom('9223372036854775807', '9223372036854775808', '1') });
const EMOJI = ['👍', '❤️', '😂', '👍🏽', '🏳️‍🌈'];
/** Dates a calendar format allows but a database may not (year 0), and the ends of the range. */
const EDGE_DATES = ['0000-01-01', '0001-01-01', '1899-12-31', '1970-01-01', '9999-12-31', '2000-02-29'];
const calendarDate = fc.date({ min: new Date('1800-01-01T00:00:00Z'), max: new Date(), noInvalidDate: true });
const cursorLike = () => fc.constantFrom(...Object.values(w.cursors));

/**
 * Bodies, queries and paths are built to fit the schema (so they reach the handler) and then
 * spoiled one place at a time: a spoilt field is bad in one way while everything around it is
 * good, which is where a missed check turns into a 500.
 */
const spoilt = fc.oneof({ weight: 3, arbitrary: anyText }, { weight: 1, arbitrary: anyJson });

/** A fitting value most of the time, a spoilt one the rest (path and query parameters, array items). */
function valueFor(schema: Schema | undefined, name: string, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: fittingValue(schema ?? {}, name, depth) }, { weight: 1, arbitrary: spoilt });
}

/** A value of the schema's type and shape, leaning to its edges (ids at the bigint limit, year 0, the largest count). */
function fittingValue(schema: Schema, name: string, depth: number): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alt: Schema) => fittingValue(alt, name, depth)));
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((t: string) => fittingValue({ ...schema, type: t }, name, depth)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  switch (schema.type) {
    case 'string':
      if (/cursor/i.test(name)) return cursorLike();
      if (String(schema.pattern ?? '').includes('[1-9][0-9]') || /(^id$|Id$|Ids$)/i.test(name)) return idLike(name);
      if (name === 'emoji') return fc.constantFrom(...EMOJI);
      if (schema.format === 'date-time') return fc.oneof(calendarDate.map((d) => d.toISOString()), fc.constantFrom(...EDGE_DATES.map((d) => `${d}T00:00:00Z`)));
      if (schema.format === 'date') return fc.oneof(calendarDate.map((d) => d.toISOString().slice(0, 10)), fc.constantFrom(...EDGE_DATES));
      if (schema.format === 'email') return fc.tuple(fc.stringMatching(/^[a-z0-9._]{1,12}$/), fc.constantFrom('example.com', 'loop.test')).map(([u, d]) => `${u}@${d}`);
      if (name === 'phone') return fc.integer({ min: 100, max: 199 }).map((n) => `+1 202 555 0${n}`);
      return plausibleString(schema);
    case 'integer':
    case 'number': {
      // Small values first (seqs, limits and counts of the seeded data are small), then the bounds.
      const min = Math.max(schema.minimum ?? -1000, -1e6);
      const max = Math.min(schema.maximum ?? 1000, 1e6);
      return fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min, max: Math.min(min + 5, max) }) },
        { weight: 1, arbitrary: fc.integer({ min, max }) },
        { weight: 1, arbitrary: fc.constantFrom(schema.minimum ?? 0, schema.maximum ?? Number.MAX_SAFE_INTEGER) },
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 4) return fc.constant([]);
      const item = valueFor(schema.items, name.replace(/s$/, ''), depth + 1);
      const over = Math.min((schema.maxItems ?? 100) + 1, 2500);
      // One past maxItems, unless the item is itself huge (2,001 copies of 300 KiB would not fit in memory).
      const overfull = item.map((x) => ((JSON.stringify(x)?.length ?? 0) > 1000 ? [x] : Array(over).fill(x)));
      return fc.oneof({ weight: 6, arbitrary: fc.array(item, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) }) }, { weight: 1, arbitrary: overfull });
    }
    case 'object': {
      if (depth > 4) return fc.constant({});
      const entries = Object.entries<Schema>(schema.properties ?? {});
      const props = Object.fromEntries(entries.map(([k, v]) => [k, fittingValue(v, k, depth + 1)]));
      const record = fc.record(props, { requiredKeys: (schema.required ?? []).filter((k: string) => k in props) });
      // Half the time one field (or a field that should not be there) is spoilt.
      const spoil = fc.option(fc.tuple(fc.constantFrom(...entries.map(([k]) => k), 'unknown', 'bio\u0000', 'constructor'), spoilt), { nil: undefined });
      return fc.tuple(record, spoil).map(([r, sp]) => (sp ? { ...(r as object), [sp[0]]: sp[1] } : r));
    }
    default:
      return anyJson;
  }
}

/** A string of the right shape: matching the schema's pattern when it has one, else of a fitting length. */
function plausibleString(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 30, 30));
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern, 'u')).filter((v) => v.length >= minLength && v.length <= (schema.maxLength ?? Infinity));
    } catch {
      // a pattern fast-check cannot generate from: fall through to plain text
    }
  }
  return fc.string({ minLength, maxLength, unit: 'grapheme-ascii' });
}

// ---- URLs ----

/** Percent-encodes like encodeURIComponent, but a lone surrogate becomes the bytes it would be in CESU-8 (not UTF-8). */
function encodeComponent(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`;
    else out += encodeURIComponent(ch);
  }
  return out;
}
const BAD_ESCAPES = ['%FF', '%', '%zz', '%E0%A4%A', '%C0%80', '%2F..%2F', '%00', '%ED%A0%80'];
const component = (value: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 6, arbitrary: value.map((v) => encodeComponent(typeof v === 'string' ? v : JSON.stringify(v) ?? '')) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES) });

function urlFor(op: Operation): fc.Arbitrary<string> {
  // `{id}` takes its kind from the segment before it: /conversations/{id} is a conversation id.
  const hint = (name: string) => (name === 'id' ? (op.path.match(/\/([a-z-]+)\/\{id\}/)?.[1] ?? name) : name);
  const segments = fc.tuple(...op.pathParams.map((p) => component(valueFor(p.schema, p.name === 'id' ? `${hint(p.name)}Id` : p.name))));
  const query = fc.tuple(
    ...op.queryParams.map((p) =>
      fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: component(valueFor(p.schema, p.name)).map((v) => `${p.name}=${v}`) }),
    ),
    fc.option(fc.constantFrom('unknown=1', 'limit=1&limit=2', 'cursor', '=x', '%FF=1'), { nil: undefined, freq: 4 }),
  );
  return fc.tuple(segments, query).map(([values, pairs]) => {
    let i = 0;
    const path = op.path.replace(/\{[^}]+\}/g, () => values[i++] ?? '');
    const q = pairs.filter((x) => x !== undefined).join('&');
    return q ? `${path}?${q}` : path;
  });
}

// ---- bodies ----

interface Body {
  contentType?: string;
  payload?: string | Uint8Array;
}
const MALFORMED_JSON = ['{', '{"a":', '[1,', 'nul', '{"a":1}}', '"\\ud800"', '{"a":"\\u0000"}', '\u0000', '{"__proto__":{"x":1}}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'];
const DEEP_JSON = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;

const multipart = fc.oneof(
  // No boundary at all.
  anyText.map((t): Body => ({ contentType: 'multipart/form-data', payload: t })),
  // A well-framed form with spoiled fields and a file of random bytes, whole or cut short anywhere.
  fc
    .tuple(fc.constantFrom('file', 'caption', 'visibility', 'commentsEnabled', 'other'), anyText, fc.uint8Array({ maxLength: 64 }), fc.option(fc.nat(), { nil: undefined }))
    .map(([field, text, bytes, cut]): Body => {
      const head = `--b0und\r\nContent-Disposition: form-data; name="${field}"\r\n\r\n${text}\r\n--b0und\r\nContent-Disposition: form-data; name="file"; filename="c.mp4"\r\nContent-Type: video/mp4\r\n\r\n`;
      const whole = Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from('\r\n--b0und--\r\n')]);
      return { contentType: 'multipart/form-data; boundary=b0und', payload: new Uint8Array(cut === undefined ? whole : whole.subarray(0, cut % whole.length)) };
    }),
  // A boundary the body does not use.
  fc.constant<Body>({ contentType: 'multipart/form-data; boundary=other', payload: '--b0und\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--b0und--\r\n' }),
);

function bodyFor(op: Operation): fc.Arbitrary<Body> {
  const json = (v: fc.Arbitrary<unknown>) => v.map((x): Body => ({ contentType: 'application/json', payload: JSON.stringify(x) ?? 'null' }));
  const broken = fc.oneof(
    fc.constantFrom(...MALFORMED_JSON, DEEP_JSON).map((p): Body => ({ contentType: 'application/json', payload: p })),
    fc.constant<Body>({ contentType: 'application/json', payload: '' }),
    fc.constant<Body>({ contentType: 'application/json', payload: JSON.stringify({ text: HUGE_STRING }) }),
    anyText.map((p): Body => ({ contentType: 'text/plain', payload: p })),
    fc.constant<Body>({ contentType: 'application/x-www-form-urlencoded', payload: 'a=%FF&b' }),
    fc.constant<Body>({}),
    multipart,
  );
  if (op.method === 'GET') return fc.constant({});
  return fc.oneof({ weight: op.body ? 6 : 1, arbitrary: json(op.body ? valueFor(op.body, 'body') : anyJson) }, { weight: 2, arbitrary: broken });
}

// ---- the property ----

async function send(method: string, url: string, body: Body, token: string | null) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body.contentType) headers['content-type'] = body.contentType;
  const res = await fetch(s.url + url, { method, headers, body: body.payload as BodyInit | undefined });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Status classes seen per operation, to show the requests reach handlers, not only validation. */
const seen = new Map<string, Set<number>>();

function checkAnswer(res: { status: number; contentType: string; text: string }, what: string) {
  expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status < 400) return;
  expect(res.contentType, `${what} → ${res.status} is not problem+json`).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(res.text);
  expect(typeof problem.code === 'string' && problem.code.length > 0, `${what} → ${res.status} has no code: ${res.text.slice(0, 300)}`).toBe(true);
}

function seedOf(name: string) {
  let h = SEED;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  return h;
}

describe(`fuzzing every OpenAPI operation (${engine})`, () => {
  it('reads the operations from the running server', () => {
    expect(operations.length).toBeGreaterThan(60);
  });

  for (const signedIn of [true, false]) {
    for (const op of operations) {
      const name = `${op.method} ${op.path} ${signedIn ? 'signed in' : 'signed out'}`;
      it(name, async () => {
        await fc.assert(
          fc.asyncProperty(urlFor(op), bodyFor(op), async (url, body) => {
            const what = `${op.method} ${url} ${body.contentType ?? ''} ${String(body.payload ?? '').slice(0, 200)}`;
            const res = await send(op.method, url, body, signedIn ? w.a.token : null);
            seen.set(name, (seen.get(name) ?? new Set()).add(res.status));
            if (process.env.FUZZ_DEBUG && name.includes(process.env.FUZZ_DEBUG)) console.log(res.status, what.slice(0, 300), res.text.slice(0, 200));
            checkAnswer(res, what);
          }),
          { seed: seedOf(name), numRuns: RUNS },
        );
      });
    }
  }

  it('got past validation: most operations signed in had a 2xx answer among their runs', () => {
    const signedInOps = [...seen].filter(([name]) => name.endsWith('signed in'));
    const succeeded = signedInOps.filter(([, statuses]) => [...statuses].some((st) => st < 300)).map(([name]) => name);
    if (process.env.FUZZ_REPORT) console.log([...seen].map(([n, st]) => `${n}: ${[...st].sort().join(' ')}`).join('\n'));
    expect(succeeded.length, `only: ${succeeded.join(', ')}`).toBeGreaterThan(signedInOps.length / 2);
  });
});
