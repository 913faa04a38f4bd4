import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

/**
 * The bench side of a crowd of client sockets kept in a child process (so the clients' work does
 * not share the server's event loop): start one, ask it something, ask all of them at once.
 */
export function forkCrowd(file: string): ChildProcess {
  return fork(path.resolve(import.meta.dirname, file), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

export function ask(child: ChildProcess, msg: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: any) => (m.ok ? resolve(m) : reject(new Error(m.error))));
    child.send(msg as any);
  });
}

export const askAll = (children: ChildProcess[], msg: unknown) => Promise.all(children.map((c) => ask(c, msg)));
