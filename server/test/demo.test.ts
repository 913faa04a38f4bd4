import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoChats } from '../src/modules/messaging/messaging-demo.ts';
import { engine, type MadeUser, startTestServer, type TestServer } from './harness.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

describe(`demo chats (${engine})`, () => {
  it('give a demo account friends, a chat, a group with unread messages and a request', async () => {
    const people: Record<string, MadeUser> = {};
    for (const name of ['maya', 'leo', 'sam', 'ines']) people[name] = await s.make.user();
    await seedDemoChats(s.ctx, Object.fromEntries(Object.entries(people).map(([k, u]) => [k, u.id])));
    const maya = people.maya!;

    const friends = await s.api('GET', `/users/${maya.id}/friends`, { token: maya.token });
    expect(friends.body.items.map((u: any) => u.id).sort()).toEqual([people.leo!.id, people.ines!.id].sort());
    const inbox = await s.api('GET', '/conversations?folder=inbox', { token: maya.token });
    expect(inbox.body.items.map((c: any) => [c.title ?? c.kind, c.lastSeq, c.unreadCount])).toEqual([
      ['Weekend crew', 3, 2],
      ['direct', 3, 1],
    ]);
    const requests = await s.api('GET', '/conversations?folder=requests', { token: maya.token });
    expect(requests.body.items).toHaveLength(1);
    expect(requests.body.items[0].lastMessage.senderId).toBe(people.sam!.id);
  });
});
