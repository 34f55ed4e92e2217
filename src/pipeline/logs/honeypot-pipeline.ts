/**
 * Cowrie / HP_TI JSON lines into ECS documents for the `sluice-honeypot-*` indices: parse and
 * sanitise, carry the connect event's ports and protocol onto the rest of the session, add GeoIP of
 * the attacker's address. A line that cannot be used is kept as a `pipeline_error` document with the
 * raw line (never dropped); an empty line, or a last line still being written, yields nothing.
 */
import { CowrieSessionContext, cowrieEventToEcs, cowrieRejectToEcs, parseCowrieLine, type CowrieEvent } from '../../decoders/honeypot/index.js';
import type { GeoIpEnricher } from '../../enrichers/geoip/geoip-enricher.js';
import { toLogDocument, type LogDocument, type LogPosition } from './log-document.js';

/** The dataset name of honeypot events (embedded store, Kafka). */
export const HONEYPOT_DATASET = 'honeypot';

/** Options of {@link HoneypotPipeline}. */
export interface HoneypotPipelineOptions {
  /** Daily indices `<prefix>-YYYY.MM.DD`. Default `sluice-honeypot`. */
  readonly indexPrefix?: string;
  readonly maxFieldBytes?: number;
  readonly sensorName?: string;
  readonly sessionMemory?: number;
  readonly geoip?: GeoIpEnricher;
}

/** Counters (plain numbers). */
export interface HoneypotPipelineStats {
  lines: number;
  events: number;
  rejected: number;
  skipped: number;
}

/** A parsed event with its document (the relational store takes the event, the engine the document). */
export interface HoneypotRecord {
  readonly event: CowrieEvent;
  readonly document: LogDocument;
}

/** See the module comment. */
export class HoneypotPipeline {
  readonly stats: HoneypotPipelineStats = { lines: 0, events: 0, rejected: 0, skipped: 0 };
  private readonly sessions: CowrieSessionContext;
  private readonly indexPattern: string;

  constructor(private readonly options: HoneypotPipelineOptions = {}) {
    this.sessions = new CowrieSessionContext(options.sessionMemory ?? 100_000);
    this.indexPattern = `${options.indexPrefix ?? 'sluice-honeypot'}-%Y.%m.%d`;
  }

  /**
   * The document of one line (`terminated`: the line ended with a newline, so a cut JSON object is
   * an error rather than a line still being written). `undefined` for lines that carry nothing.
   */
  process(line: Buffer | string, position: LogPosition, terminated = true, nowMs = Date.now()): { document: LogDocument; event?: CowrieEvent } | undefined {
    this.stats.lines++;
    const r = parseCowrieLine(line, { offset: position.offset, terminated }, { maxFieldBytes: this.options.maxFieldBytes });
    const ecsOptions = { sensorName: this.options.sensorName, filePath: position.path, offset: position.offset };
    if (!r.ok) {
      const doc = cowrieRejectToEcs(r, new Date(nowMs).toISOString(), ecsOptions);
      if (doc === undefined) {
        this.stats.skipped++;
        return undefined;
      }
      this.stats.rejected++;
      return { document: toLogDocument(doc as { '@timestamp'?: string }, position, HONEYPOT_DATASET, this.indexPattern, nowMs) };
    }
    this.sessions.apply(r.event);
    const doc = cowrieEventToEcs(r.event, ecsOptions);
    this.options.geoip?.enrich(doc as never, ['source']);
    this.stats.events++;
    const document = { ...toLogDocument(doc as { '@timestamp'?: string }, position, HONEYPOT_DATASET, this.indexPattern, nowMs), record: r.event };
    return { event: r.event, document };
  }
}
