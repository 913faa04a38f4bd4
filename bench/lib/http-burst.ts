// A child process that fires a burst of HTTP requests all at once and times each one, so the
// load's own work (making 1,000 requests, reading 1,000 answers) does not share the server's event
// loop: bench:checkout's "at once" rows measure the server, as a crowd of phones would.
// Commands over IPC (see crowd-ipc.ts):
//   { cmd: 'burst', url, requests: [{ method, path, token, headers?, body? }] } → { ok, results: [{ ms, status }] }
//   { cmd: 'close' } → { ok }
import { performance } from 'node:perf_hooks';

interface BurstRequest {
  method: string;
  path: string;
  token: string;
  headers?: Record<string, string>;
  body?: unknown;
}

async function one(url: string, r: BurstRequest) {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1${r.path}`, {
    method: r.method,
    headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json', ...r.headers },
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
  });
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

process.on('message', async (msg: { cmd: string; url?: string; requests?: BurstRequest[] }) => {
  try {
    if (msg.cmd === 'burst') {
      const results = await Promise.all(msg.requests!.map((r) => one(msg.url!, r)));
      process.send!({ ok: true, results });
    } else if (msg.cmd === 'close') {
      process.send!({ ok: true });
      process.exit(0);
    } else process.send!({ ok: false, error: `unknown command ${msg.cmd}` });
  } catch (err) {
    process.send!({ ok: false, error: String(err) });
  }
});
