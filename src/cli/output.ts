/** Small output helpers shared by the commands. */

/** Where a command writes: stdout for results, stderr for progress and diagnostics. */
export interface CommandIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The process streams. */
export const processIO: CommandIO = { stdout: process.stdout, stderr: process.stderr };

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes as a human size (B, KB, MB, GB; powers of 1000 like `ls --si`). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** Milliseconds as `1.23 s` or `2m 03s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** Writes `text` and waits until the stream accepted it (so large outputs keep memory flat). */
export function writeAsync(stream: NodeJS.WritableStream, text: string | Uint8Array): Promise<void> | undefined {
  if (stream.write(text)) return undefined;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}
