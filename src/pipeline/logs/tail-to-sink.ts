/**
 * Follows log files (the tail source) into a sink: each batch of lines becomes documents, the sink
 * writes them, and only then is the batch acknowledged, so the tail's checkpoints never pass a line
 * the sink does not have. A crash re-sends at most the unacknowledged lines, which the documents'
 * deterministic ids turn into no-ops. The line-to-document step is the caller's (access logs,
 * honeypot events), as is the sink (embedded store, engine, Kafka).
 */
import { LogTailer, type TailEvent, type TailLine, type TailOptions, type TailStats } from '../../sources/tail/index.js';
import type { LogDocument } from './log-document.js';
import type { LogSink } from './log-sink.js';
import { RateLimitAborted, type RateLimiter } from '../rate-limit/rate-limiter.js';

/** How the lines of one file become documents. */
export interface LineHandler {
  /**
   * Called with the first lines of each file before they are used (about the first 4 KiB): throw to
   * refuse the file (e.g. an Apache error log given as an access log); its lines are then skipped.
   */
  checkHead?(head: string, path: string): void;
  /** The documents of a batch of lines (synchronous; never throws for bad content). */
  toDocuments(lines: readonly TailLine[]): LogDocument[];
}

/** Options of {@link tailToSink}. */
export interface TailToSinkOptions {
  readonly tail: Omit<TailOptions, 'onBatch' | 'onEvent'>;
  readonly handler: LineHandler;
  readonly sink: LogSink;
  /** Stop once every file was read to its end and delivered, and nothing moved for a while (batch use, tests). */
  readonly untilIdle?: boolean;
  /** Checked every 50 ms: stop when true (signals). */
  readonly stopSignal?: { stopped: boolean };
  readonly onEvent?: (event: TailToSinkEvent) => void;
  /**
   * Rate limit between the line handler and the sink, per file (the tail's file id). `delay` holds
   * the batch (the tail stops reading once its in-flight batches wait); `drop` leaves out what is over
   * the rate, counts it in {@link TailToSinkSummary.rateLimited} and acknowledges the batch.
   */
  readonly rateLimit?: RateLimiter;
}

/** What the run reports. */
export type TailToSinkEvent = TailEvent | { readonly type: 'refused'; readonly path: string; readonly fileId: string; readonly message: string; readonly code?: string };

/** Totals of a run. */
export interface TailToSinkSummary {
  lines: number;
  documents: number;
  created: number;
  existing: number;
  dead: number;
  /** Documents dropped by the rate limit (`drop` mode), acknowledged without delivery. */
  rateLimited: number;
  /** Lines of refused files, not delivered. */
  refusedLines: number;
  refusedFiles: string[];
  /** A sink failure that stopped the run (the checkpoints stayed before it). */
  error?: Error;
  tail: TailStats;
  durationMs: number;
}

const HEAD_BYTES = 4096;

/** Runs until stopped (or idle with `untilIdle`); resolves with the totals. */
export async function tailToSink(options: TailToSinkOptions): Promise<TailToSinkSummary> {
  const started = performance.now();
  const summary: TailToSinkSummary = { lines: 0, documents: 0, created: 0, existing: 0, dead: 0, rateLimited: 0, refusedLines: 0, refusedFiles: [], tail: undefined as never, durationMs: 0 };
  const checked = new Map<string, boolean>(); // fileId → accepted
  const pending = new Set<Promise<void>>();
  let failure: Error | undefined;
  let wakeStop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (wakeStop = resolve));
  // Ends rate-limit waits at stop: those batches are not acknowledged, so the next run reads them again.
  const stopWaits = new AbortController();
  const limiter = options.rateLimit;
  const deliver = async (docs: ReturnType<LineHandler['toDocuments']>) => {
    if (limiter === undefined) return options.sink.write(docs);
    const r = await limiter.limit(docs, (d) => d.position.fileId, stopWaits.signal);
    summary.rateLimited += r.dropped;
    return r.kept.length > 0 ? options.sink.write(r.kept) : { created: 0, existing: 0, dead: 0 };
  };

  const tailer = new LogTailer({
    ...options.tail,
    onEvent: (e) => options.onEvent?.(e),
    onBatch: (batch) => {
      if (failure) return; // not acknowledged: read again by the next run
      const lines = acceptedLines(batch.lines);
      summary.lines += batch.lines.length;
      summary.refusedLines += batch.lines.length - lines.length;
      const docs = options.handler.toDocuments(lines);
      summary.documents += docs.length;
      const p = deliver(docs).then(
        (r) => {
          summary.created += r.created;
          summary.existing += r.existing;
          summary.dead += r.dead;
          batch.ack();
        },
        (err: Error) => {
          if (err instanceof RateLimitAborted) return; // stopping: not acknowledged, read again next run
          failure ??= err;
          wakeStop();
        },
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
  });

  /** Lines of files that passed the head check (files are checked on their first batch). */
  function acceptedLines(lines: readonly TailLine[]): readonly TailLine[] {
    if (options.handler.checkHead === undefined) return lines;
    let heads: Map<string, { path: string; text: string }> | undefined;
    for (const l of lines) {
      if (checked.has(l.fileId) || l.offset >= HEAD_BYTES) continue;
      heads ??= new Map();
      const h = heads.get(l.fileId) ?? { path: l.path, text: '' };
      if (h.text.length < HEAD_BYTES) h.text += l.data.toString('utf8') + '\n';
      heads.set(l.fileId, h);
    }
    for (const [fileId, h] of heads ?? []) {
      try {
        options.handler.checkHead!(h.text, h.path);
        checked.set(fileId, true);
      } catch (err) {
        checked.set(fileId, false);
        summary.refusedFiles.push(h.path);
        options.onEvent?.({ type: 'refused', path: h.path, fileId, message: (err as Error).message, code: (err as { code?: string }).code });
      }
    }
    // Lines of a file first seen past its head (a checkpoint from an earlier run) pass unchecked.
    return lines.some((l) => checked.get(l.fileId) === false) ? lines.filter((l) => checked.get(l.fileId) !== false) : lines;
  }

  await tailer.start();
  const poll = setInterval(() => {
    if (options.stopSignal?.stopped) wakeStop();
  }, 50);
  let idleTimer: NodeJS.Timeout | undefined;
  if (options.untilIdle) {
    // Idle: nothing read and nothing in flight for three scan intervals in a row.
    let last = -1;
    let quiet = 0;
    const every = Math.max(50, Math.min(options.tail.pollIntervalMs ?? 1000, options.tail.flushIntervalMs ?? 1000));
    idleTimer = setInterval(() => {
      const s = tailer.stats();
      const busy = s.batchesInFlight > 0 || pending.size > 0 || s.linesRead !== last;
      last = s.linesRead;
      quiet = busy ? 0 : quiet + 1;
      if (quiet < 3) return;
      // Nothing will be appended: a last line without its newline is a line too. Deliver it, then stop.
      if (tailer.flushPartialLines() > 0) quiet = 0;
      else wakeStop();
    }, every);
  }
  try {
    await stopped;
  } finally {
    clearInterval(poll);
    if (idleTimer) clearInterval(idleTimer);
    stopWaits.abort();
    await tailer.stop();
    await Promise.allSettled([...pending]);
  }
  summary.tail = tailer.stats();
  summary.error = failure;
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}
