import { sql } from 'kysely';
import type { MadeUser, TestServer } from './harness.ts';

/**
 * Follow, friend and block through the graph API (API.md "Social graph"). Until the graph
 * routes have landed on this branch, the same rows are written through the test server's
 * database handle, so messaging's rules are exercised against the real graph tables either way.
 */
async function viaApiOrDb(s: TestServer, method: 'PUT', path: string, token: string, fallback: string) {
  const res = await s.api(method, path, { token });
  if (res.status === 200 || res.status === 201 || res.status === 204) return;
  if (res.status === 404 && res.body?.code === 'route_not_found') {
    await sql.raw(fallback).execute(s.ctx.db);
    return;
  }
  throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function follow(s: TestServer, a: MadeUser, b: MadeUser) {
  await viaApiOrDb(s, 'PUT', `/users/${b.id}/follow`, a.token, `INSERT INTO follows (follower_id, followee_id) VALUES (${Number(a.id)}, ${Number(b.id)}) ON CONFLICT DO NOTHING`);
}

export async function befriend(s: TestServer, a: MadeUser, b: MadeUser) {
  await follow(s, a, b);
  await follow(s, b, a);
}

export async function block(s: TestServer, a: MadeUser, b: MadeUser) {
  await viaApiOrDb(s, 'PUT', `/users/${b.id}/block`, a.token, `INSERT INTO blocks (blocker_id, blocked_id) VALUES (${Number(a.id)}, ${Number(b.id)}) ON CONFLICT DO NOTHING`);
}
