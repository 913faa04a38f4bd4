import type { MadeUser, TestServer } from './harness.ts';

/** Follow, friend and block through the graph API (API.md "Social graph"). */
async function put(s: TestServer, path: string, token: string) {
  const res = await s.api('PUT', path, { token });
  if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function follow(s: TestServer, a: MadeUser, b: MadeUser) {
  await put(s, `/users/${b.id}/follow`, a.token);
}

export async function befriend(s: TestServer, a: MadeUser, b: MadeUser) {
  await follow(s, a, b);
  await follow(s, b, a);
}

export async function block(s: TestServer, a: MadeUser, b: MadeUser) {
  await put(s, `/users/${b.id}/block`, a.token);
}
