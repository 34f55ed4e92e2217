/**
 * One write into several sinks (the honeypot tables and the event documents): it resolves once every
 * sink has every document, so the source acknowledges only what all of them hold. The result is the
 * first sink's (the others are idempotent copies).
 */
import type { LogDocument } from './log-document.js';
import type { LogSink, LogWriteResult } from './log-sink.js';

/** A sink writing to all of `sinks`. */
export function fanoutLogSink(sinks: readonly LogSink[]): LogSink {
  return {
    description: sinks.map((s) => s.description).join(' and '),
    async write(docs: readonly LogDocument[]): Promise<LogWriteResult> {
      const results = await Promise.all(sinks.map((s) => s.write(docs)));
      return results[0];
    },
    async close(): Promise<void> {
      const closed = await Promise.allSettled(sinks.map((s) => s.close()));
      const failed = closed.find((c) => c.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
  };
}
