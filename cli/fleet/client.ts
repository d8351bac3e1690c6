/**
 * The CLI's side of the supervisor: finds the one answering on the state directory's socket,
 * or starts it (a detached `nimbus __supervisor DIR`, its output in supervisor.log).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../paths.ts';
import { request, type Message, type Request } from './protocol.ts';
import { files } from './store.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answers(dir: string): Promise<boolean> {
  if (!existsSync(files(dir).socket)) return false;
  try {
    return (await request(files(dir).socket, { op: 'ping' })).type === 'done';
  } catch {
    return false;
  }
}

export async function ensureSupervisor(dir: string): Promise<void> {
  if (await answers(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = openSync(files(dir).log, 'a');
  const child = spawn(process.execPath, [path.join(ROOT, 'cli', 'nimbus.mjs'), '__supervisor', dir], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  for (let i = 0; i < 300; i++) {
    await sleep(50);
    if (await answers(dir)) return;
    if (child.exitCode !== null && !(await answers(dir))) break;
  }
  throw new Error(`the fleet supervisor did not start (see ${files(dir).log})`);
}

export async function ask(dir: string, req: Request, onMessage?: (m: Message) => void): Promise<Message> {
  await ensureSupervisor(dir);
  return request(files(dir).socket, req, onMessage);
}
