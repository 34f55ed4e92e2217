import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(new URL('../../../', import.meta.url).pathname, 'bin/sluice.js');

/** Starts `sluice …args` as a separate process (a daemon), collecting its output (stdout and stderr). */
export function startDaemon(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}
