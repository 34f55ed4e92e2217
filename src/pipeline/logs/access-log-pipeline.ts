/**
 * Web access-log lines into enriched ECS documents: parse (any Apache/nginx/JSON format), then
 * GeoIP, user agent and bot detection, and the web-attack rules. Synchronous per line; the costly
 * lookups sit behind LRU caches in the enrichers. `parse` and `enrich` are separate so `sluice ship`
 * can send parsed events through Kafka and `sluice consume` enrich them on the other side.
 */
import { createAccessLogParser, type AccessLogDocument, type AccessLogParser, type AccessLogParserOptions } from '../../decoders/access-log/index.js';
import type { GeoIpEnricher } from '../../enrichers/geoip/geoip-enricher.js';
import type { UserAgentEnricher } from '../../enrichers/user-agent/user-agent-enricher.js';
import type { WebAttackDetector } from '../../enrichers/threat/web-attack-detector.js';
import { toLogDocument, type LogDocument, type LogPosition } from './log-document.js';

/** The dataset name of access logs (embedded store, Kafka). */
export const ACCESS_DATASET = 'access';

/** Default daily index of access-log documents. */
export const ACCESS_INDEX_PATTERN = 'sluice-access-%Y.%m.%d';

/** Options of {@link AccessLogPipeline}. */
export interface AccessLogPipelineOptions {
  readonly parser: AccessLogParserOptions;
  readonly indexPattern?: string;
  readonly geoip?: GeoIpEnricher;
  readonly geoipEndpoints?: readonly ('source' | 'destination' | 'client' | 'server')[];
  readonly userAgent?: UserAgentEnricher;
  readonly threat?: WebAttackDetector;
}

/** Counters (plain numbers). */
export interface AccessLogPipelineStats {
  lines: number;
  unparsed: number;
  malformed: number;
  alerts: number;
}

/** See the module comment. */
export class AccessLogPipeline {
  readonly parser: AccessLogParser;
  readonly indexPattern: string;
  readonly stats: AccessLogPipelineStats = { lines: 0, unparsed: 0, malformed: 0, alerts: 0 };

  constructor(private readonly options: AccessLogPipelineOptions) {
    this.parser = createAccessLogParser(options.parser);
    this.indexPattern = options.indexPattern ?? ACCESS_INDEX_PATTERN;
  }

  /** Refuses a file that is not an access log (an Apache error log): call with the first KiB of each file. */
  checkHead(head: string, source: string): void {
    this.parser.checkHead(head, source);
  }

  /** The parsed, not yet enriched, document of one line (never throws: unparsable lines are kept with `error.message`). */
  parse(line: string, position: LogPosition): AccessLogDocument {
    const doc = this.parser.parseLine(line, position.offset);
    this.stats.lines++;
    if (doc.event.kind === 'pipeline_error') this.stats.unparsed++;
    if (doc.sluice?.access.malformed !== undefined) this.stats.malformed++;
    if (position.path !== undefined) (doc as { log: { file?: { path: string } } }).log.file = { path: position.path };
    return doc;
  }

  /** Adds GeoIP, user agent and attack-rule fields. */
  enrich(doc: AccessLogDocument): void {
    if (doc.event.kind === 'pipeline_error') return;
    this.options.geoip?.enrich(doc as never, this.options.geoipEndpoints ?? ['source']);
    this.options.userAgent?.enrich(doc as never);
    if (this.options.threat !== undefined && this.options.threat.enrich(doc as never).length > 0) this.stats.alerts++;
  }

  /** Parse, enrich and encode one line. `nowMs` dates lines without a usable time. */
  process(line: string, position: LogPosition, nowMs = Date.now()): LogDocument {
    const doc = this.parse(line, position);
    this.enrich(doc);
    return toLogDocument(doc, position, ACCESS_DATASET, this.indexPattern, nowMs);
  }
}
