// A child process that holds many WebSocket clients for bench/messaging.ts (a process can only
// open so many sockets). Commands come over IPC:
//   { cmd: 'connect', url, tokens: string[], count, resume? } → { ok, ready, ms }
//   { cmd: 'reconnect', resume: Record<token, Record<convId, seq>>, expect: number } → { ok, ms }
//   { cmd: 'exit' }
import WebSocket from 'ws';

interface Client {
  ws: WebSocket;
  token: string;
  got: number;
}
let clients: Client[] = [];
let url = '';

function open(token: string, resume: Record<string, number> | undefined, expectMessages: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    const c: Client = { ws, token, got: 0 };
    let ready = false;
    ws.on('open', () => ws.send(JSON.stringify(resume ? { type: 'hello', resume } : { type: 'hello' })));
    ws.on('message', (data) => {
      const f = JSON.parse(String(data));
      if (f.type === 'ready') ready = true;
      if (f.type === 'message') c.got += 1;
      if (ready && c.got >= expectMessages) {
        ws.removeAllListeners('message');
        resolve(c);
      }
    });
    ws.on('error', reject);
  });
}

async function inBatches<T>(n: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, j) => make(i + j)))));
  return out;
}

process.on('message', async (m: any) => {
  try {
    if (m.cmd === 'connect') {
      url = m.url;
      const t0 = Date.now();
      const made = await inBatches(m.count, 200, (i) => open(m.tokens[i % m.tokens.length], undefined, 0));
      clients.push(...made);
      process.send?.({ ok: true, ready: clients.length, ms: Date.now() - t0 });
    } else if (m.cmd === 'reconnect') {
      const old = clients;
      clients = [];
      await Promise.all(old.map((c) => new Promise<void>((r) => {
        c.ws.once('close', () => r());
        c.ws.close();
      })));
      process.send?.({ ok: true, closed: old.length });
    } else if (m.cmd === 'resume') {
      const tokens: string[] = m.tokens;
      const t0 = Date.now();
      const made = await inBatches(m.count, 500, (i) => open(tokens[i % tokens.length]!, m.resume[tokens[i % tokens.length]!], m.expect));
      clients.push(...made);
      process.send?.({ ok: true, ms: Date.now() - t0 });
    } else if (m.cmd === 'exit') {
      for (const c of clients) c.ws.terminate();
      process.exit(0);
    }
  } catch (err) {
    process.send?.({ ok: false, error: String(err) });
  }
});
