/**
 * The honeypot tables as a {@link LogSink}: each batch of documents carries its parsed Cowrie events
 * (`record`), written with the documents' ids as event ids, so a replayed line changes nothing.
 * Documents without an event (unusable lines) are left to the document sinks.
 */
import type { CowrieEvent } from '../../decoders/honeypot/index.js';
import type { LogDocument } from '../../pipeline/logs/log-document.js';
import type { LogSink, LogWriteResult } from '../../pipeline/logs/log-sink.js';
import { HoneypotStore, type HoneypotStoreOptions } from './honeypot-store.js';

/** Opens the store (migrating it) and wraps it. */
export async function openHoneypotLogSink(options: HoneypotStoreOptions, description: string): Promise<LogSink> {
  const store = await HoneypotStore.open(options);
  return {
    description,
    async write(docs: readonly LogDocument[]): Promise<LogWriteResult> {
      const items = docs.filter((d) => d.record !== undefined).map((d) => ({ event: d.record as CowrieEvent, id: d.id }));
      const r = await store.writeBatch(items);
      return { created: r.inserted, existing: r.duplicates, dead: 0 };
    },
    close: () => store.close(),
  };
}
