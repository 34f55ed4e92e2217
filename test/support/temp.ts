import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'sluice-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An in-memory CommandIO capturing what a command prints. */
export function captureIO(): { io: { stdout: any; stderr: any }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) => ({
    isTTY: false,
    write(chunk: string | Uint8Array) {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
    once() {},
  });
  return { io: { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)) }, out: () => out, err: () => err };
}
