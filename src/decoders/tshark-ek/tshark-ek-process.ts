/**
 * `tshark -r FILE -T ek` as a child process whose output is read in line batches with
 * backpressure: the caller pulls the next batch only when it is ready for it, and while it does not
 * pull, the pipe fills and tshark blocks on its write (no unbounded buffering in sluice).
 *
 * The index action lines (`{"index":{"_index":"packets-…","_type":"doc"}}`) are dropped here:
 * sluice writes its own `create` actions, without the `_type` OpenSearch 2 and Elasticsearch 8 refuse.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { SluiceError } from '../../errors.js';

/** Options of {@link TsharkEkProcess}. */
export interface TsharkEkOptions {
  /** The tshark executable. Default `tshark`. */
  readonly tsharkPath?: string;
  /** Enable Wireshark's Community ID post-dissector (`--enable-protocol communityid`). Default false. */
  readonly communityId?: boolean;
  /** Extra arguments placed before `-r` (e.g. `-o` preferences). */
  readonly extraArgs?: readonly string[];
}

/** How tshark ended. */
export interface TsharkExit {
  /** Exit code (null when killed by a signal). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Lines tshark wrote to stderr, without its "Running as user root" notice (at most 100 kept). */
  readonly messages: readonly string[];
  /** Number of such lines (all of them, not only the kept ones). */
  readonly errorLines: number;
}

const NEWLINE = 10;
const ACTION = Buffer.from('{"index"');
const MAX_KEPT_MESSAGES = 100;

/** One tshark run over one file. */
export class TsharkEkProcess {
  private readonly child: ChildProcessByStdio<null, Readable, Readable>;
  private readonly exit: Promise<TsharkExit>;
  private killed = false;

  constructor(file: string, options: TsharkEkOptions = {}) {
    const tshark = options.tsharkPath ?? 'tshark';
    const args = [...(options.extraArgs ?? []), '-r', file, '-T', 'ek'];
    if (options.communityId) args.push('--enable-protocol', 'communityid');
    this.child = spawn(tshark, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const messages: string[] = [];
    let errorLines = 0;
    let errText = '';
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (s: string) => {
      errText += s;
      let nl: number;
      while ((nl = errText.indexOf('\n')) >= 0) {
        const line = errText.slice(0, nl).trim();
        errText = errText.slice(nl + 1);
        if (line === '' || line.startsWith('Running as user')) continue;
        errorLines++;
        if (messages.length < MAX_KEPT_MESSAGES) messages.push(line);
      }
    });
    this.exit = new Promise<TsharkExit>((resolve, reject) => {
      this.child.on('error', (err) => {
        reject(new SluiceError('SLUICE_TSHARK', `could not run ${tshark} (${err.message}): install Wireshark's tshark (apt-get install tshark) or set tshark.path to its location.`, { cause: err }));
      });
      this.child.on('close', (code, signal) => {
        const last = errText.trim();
        if (last !== '' && !last.startsWith('Running as user')) {
          errorLines++;
          if (messages.length < MAX_KEPT_MESSAGES) messages.push(last);
        }
        resolve({ code, signal, messages, errorLines });
      });
    });
    // A spawn failure must not become an unhandled rejection before someone awaits exited().
    this.exit.catch(() => undefined);
  }

  /**
   * The document lines, in batches (one per chunk read from the pipe). Synchronous splitting;
   * the next chunk is read only when the consumer asks for the next batch.
   */
  async *batches(): AsyncGenerator<string[]> {
    let rest: Buffer | undefined;
    for await (const chunk of this.child.stdout as AsyncIterable<Buffer>) {
      const buf = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
      const lines: string[] = [];
      let start = 0;
      let nl: number;
      while ((nl = buf.indexOf(NEWLINE, start)) >= 0) {
        if (nl > start && !isAction(buf, start)) lines.push(buf.toString('utf8', start, nl));
        start = nl + 1;
      }
      rest = start < buf.length ? buf.subarray(start) : undefined;
      if (lines.length > 0) yield lines;
    }
    if (rest !== undefined && rest.length > 0 && !isAction(rest, 0)) yield [rest.toString('utf8')];
  }

  /** Stops tshark (the ingest was interrupted). */
  kill(): void {
    if (this.killed) return;
    this.killed = true;
    this.child.kill('SIGTERM');
  }

  /** Resolves when tshark has ended; rejects with `SLUICE_TSHARK` when it could not be started. */
  exited(): Promise<TsharkExit> {
    return this.exit;
  }
}

function isAction(buf: Buffer, start: number): boolean {
  if (buf.length - start < ACTION.length) return false;
  for (let i = 0; i < ACTION.length; i++) if (buf[start + i] !== ACTION[i]) return false;
  return true;
}
