// The baseline for bench/messaging.ts: a bare `ws` server that forwards each frame from a pair's
// sender to its recipient and acks it. No auth, no database, no validation.
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.argv[2]);
const recipients = new Map<string, WebSocket>();
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const pair = q.get('pair') ?? '';
  if (q.get('role') === 'recipient') recipients.set(pair, ws);
  ws.on('error', () => {});
  ws.on('message', (data) => {
    const f = JSON.parse(String(data));
    if (f.type === 'hello') return ws.send(JSON.stringify({ type: 'ready', userId: '0' }));
    if (f.type !== 'send') return;
    recipients.get(pair)?.send(JSON.stringify({ type: 'message', message: { conversationId: pair, clientMsgId: f.clientMsgId, text: f.text } }));
    ws.send(JSON.stringify({ type: 'ack', clientMsgId: f.clientMsgId }));
  });
});
wss.on('listening', () => process.send?.('listening'));
