import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort, type ServerProcess, spawnServer } from '../../server/test/process.ts';
import { friendsWithChat } from './helpers.ts';

// Issue 11 acceptance 3 (the client's half): a socket over its budget gets `error{code:'rate_limited',
// clientMsgId}` for each refused send, and the web client sends it again after a backoff instead of
// leaving it "Sending…". 100 messages typed as fast as the app takes them arrive once each, in order.
//
// Its own server with a small WebSocket budget (2 frames a second, bursts of 2), so that the refusal
// path is really taken: the client sends the next message as soon as the last is acknowledged, which
// even on a loaded machine (acks in a few hundred ms) is faster than 2 a second.

const root = path.resolve(import.meta.dirname, '../..');
let server: ServerProcess;
let dataDir: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-e2e-budget-'));
  const port = await freePort();
  server = await spawnServer({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    WEB_DIST_DIR: path.join(root, 'web/dist'),
    DEMO_CONTENT: 'false',
    WS_FRAMES_PER_SEC: '2',
    WS_FRAME_BURST: '2',
  });
});
test.afterAll(async () => {
  server?.kill('SIGTERM');
  await server?.exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('100 messages typed as fast as the app takes them: refused sends are retried, all arrive once, in order @phone-only', async ({ browser }) => {
  test.setTimeout(420_000);
  const { a, b, conversation } = await friendsWithChat(browser, server.url);

  // What the server says to Ana's socket: each refusal names the message it refused.
  const refused: string[] = [];
  a.page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload));
      if (frame.type === 'error' && frame.code === 'rate_limited' && frame.clientMsgId) refused.push(frame.clientMsgId);
    }),
  );

  await b.page.goto(`/inbox/${conversation.id}`);
  await a.page.goto(`/inbox/${conversation.id}`);
  const box = a.page.getByLabel('Message');
  await expect(box).toBeEditable();
  await expect(a.page.getByText('Connecting…')).toHaveCount(0);

  const texts = Array.from({ length: 100 }, (_, i) => `burst ${String(i + 1).padStart(3, '0')}`);
  // Typed in the page itself (one round trip from the test per message would be the bottleneck):
  // each text goes into the box as input, then Enter, the way the composer takes them.
  await box.evaluate(async (el: HTMLTextAreaElement, all: string[]) => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
    for (const text of all) {
      setValue.call(el, text);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 0)); // React renders the new text
      el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      await new Promise((r) => setTimeout(r, 0));
    }
  }, texts);
  await expect(box).toHaveValue('');

  // Ben sees all 100, in the order Ana wrote them, each once.
  const seen = b.page.locator('.bubble__text', { hasText: /^burst \d{3}$/ });
  await expect(seen).toHaveCount(100, { timeout: 300_000 });
  expect(await seen.allTextContents()).toEqual(texts);
  // Nothing left waiting on Ana's side, and the refusal path was taken.
  await expect(a.page.getByText('Sending…')).toHaveCount(0, { timeout: 60_000 });
  await expect(a.page.getByText(/Not sent/)).toHaveCount(0);
  expect(refused.length).toBeGreaterThan(0);

  // The server has each message once, in order (the history as the API gives it).
  const history = await (await b.ctx.request.get(`/api/v1/conversations/${conversation.id}/messages?limit=100`)).json();
  const stored = (history.items as { text: string; seq: number }[]).sort((x, y) => x.seq - y.seq).map((m) => m.text);
  expect(stored).toEqual(texts);
  console.log(`${refused.length} sends refused for the budget and retried (${new Set(refused).size} distinct messages)`);
  await a.ctx.close();
  await b.ctx.close();
});
