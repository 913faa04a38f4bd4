import type { Conversation } from '@loop/contracts';

/**
 * The chat outbox on disk (IndexedDB): every message written and not yet acknowledged, keyed by its
 * clientMsgId, with the person who wrote it, when, and the conversation as it was then (so a chat
 * can be drawn with its queued messages when the app is opened offline). A reload, a closed tab or
 * a restart loses nothing; the socket sends what is here when it is up, and the server's dedupe by
 * clientMsgId makes a message that did reach it before count once.
 *
 * Every call is best effort: without IndexedDB (a private window that refuses it) the outbox
 * simply lives in memory, as before.
 */
export interface QueuedSend {
  clientMsgId: string;
  conversationId: string;
  text: string;
  replyToSeq?: number;
  userId: string;
  queuedAt: number;
  conversation?: Conversation;
}

const DB_NAME = 'loop-outbox';
const STORE = 'sends';

let opening: Promise<IDBDatabase | null> | null = null;

function open(): Promise<IDBDatabase | null> {
  opening ??= new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve(null);
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const store = req.result.createObjectStore(STORE, { keyPath: 'clientMsgId' });
      store.createIndex('userId', 'userId');
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
  return opening;
}

/** Runs `work` in one transaction; resolves with its result once committed (undefined if there is no database). */
async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T> | undefined): Promise<T | undefined> {
  const db = await open();
  if (!db) return undefined;
  return new Promise((resolve) => {
    try {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onerror = () => resolve(undefined);
      tx.onabort = () => resolve(undefined);
    } catch {
      resolve(undefined);
    }
  });
}

/** This person's queued messages, oldest first. */
export async function loadOutbox(userId: string): Promise<QueuedSend[]> {
  const all = await run<QueuedSend[]>('readonly', (s) => s.index('userId').getAll(userId));
  return (all ?? []).sort((a, b) => a.queuedAt - b.queuedAt);
}

export function saveToOutbox(send: QueuedSend): Promise<unknown> {
  return run('readwrite', (s) => s.put(send));
}

export function removeFromOutbox(clientMsgId: string): Promise<unknown> {
  return run('readwrite', (s) => s.delete(clientMsgId));
}

/** Forgets everything this person had queued (they logged out here). */
export function clearOutbox(userId: string): Promise<unknown> {
  return run('readwrite', (s) => {
    const req = s.index('userId').openCursor(userId);
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return;
      cursor.delete();
      cursor.continue();
    };
    return undefined;
  });
}
