import { SluiceError } from '../../errors.js';
import type { AccessLogDocument, AccessLogModule, AccessLogStats } from './access-log-document.js';
import { AccessLogFields } from './access-log-fields.js';
import { ACCESS_LOG_PRESETS, presetSegments, type AccessLogPreset } from './access-log-presets.js';
import { parseApacheLogFormat } from './apache-log-format.js';
import { buildAccessDocument, TimeCache, unparsedDocument } from './build-access-document.js';
import { compileLineRegex, type CompiledLineRegex } from './compile-line-regex.js';
import { assertAccessLog, errorLogLineKind } from './detect-log-kind.js';
import type { FieldSegment } from './format-segments.js';
import { fieldName } from './format-segments.js';
import { jsonTarget, type JsonTarget } from './json-field-map.js';
import { parseNginxLogFormat } from './nginx-log-format.js';
import { scanApacheLine, scanNginxLine } from './scan-access-line.js';

/** Which format a parser reads; exactly one of `format`, `apacheLogFormat`, `nginxLogFormat`. */
export interface AccessLogParserOptions {
  /** A named format (`access_log.format`). */
  format?: AccessLogPreset;
  /** An Apache `LogFormat` string (`access_log.apache_log_format`); the module is `apache`. */
  apacheLogFormat?: string;
  /** An nginx `log_format` string (`access_log.nginx_log_format`); the module is `nginx`. */
  nginxLogFormat?: string;
  /** For `json`: key → target (a field kind, an nginx variable or an ECS path) (`access_log.json_fields`). */
  jsonFields?: Readonly<Record<string, string>>;
  /** For `json`: the module the documents belong to. Default `nginx` (`access_log.json_module`). */
  jsonModule?: AccessLogModule;
  /** Constant fields added to every document, dotted ECS paths (e.g. `{ 'service.name': 'shop' }`). */
  fields?: Readonly<Record<string, unknown>>;
}

/**
 * A compiled access-log format: turns lines into ECS documents, synchronously, one at a time.
 * One instance per file (its counters and time cache are per instance).
 */
export interface AccessLogParser {
  /** `apache` or `nginx` (`event.module`). */
  readonly module: AccessLogModule;
  /** The preset name or `apache_log_format` / `nginx_log_format` (for messages and metrics). */
  readonly formatName: string;
  /** Counters since creation. */
  readonly stats: AccessLogStats;
  /**
   * The document of one line (without its line ending; a trailing CR is removed). Never throws,
   * always returns a document with `event.original`; `offset` is the line's byte offset in its
   * file (`log.offset`).
   */
  parseLine(line: string, offset: number): AccessLogDocument;
  /**
   * Refuses a file that is an error log rather than an access log; call it with the first bytes of
   * each file (a few KiB) before its lines. Throws `SLUICE_LOG_WRONG_KIND`.
   */
  checkHead(head: string, source: string): void;
}

function stripEol(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x0a || line.charCodeAt(end - 1) === 0x0d)) end--;
  return end === line.length ? line : line.slice(0, end);
}

function unparsedMessage(line: string, formatName: string): string {
  if (line.trim() === '') return 'empty line';
  const kind = errorLogLineKind(line);
  if (kind !== undefined) return `line does not match the ${formatName} format: it looks like an ${kind === 'apache_error' ? 'Apache' : 'nginx'} error-log line`;
  return `line does not match the ${formatName} format`;
}

/** Reads a line into the fields as the format's regular expression would, or returns false (then the regular expression runs). */
type LineScanner = (line: string, f: AccessLogFields) => boolean;

/**
 * Parses lines with one anchored regular expression (Apache, nginx, presets); presets with a
 * hand-written scanner try it first and fall back to the regular expression for what it leaves.
 */
class RegexLineParser implements AccessLogParser {
  readonly stats: AccessLogStats = { parsed: 0, unparsed: 0, malformed: 0 };
  private readonly regex: RegExp;
  private readonly fieldList: readonly FieldSegment[];
  private readonly scratch = new AccessLogFields();
  private readonly times = new TimeCache();

  constructor(
    readonly module: AccessLogModule,
    readonly formatName: string,
    compiled: CompiledLineRegex,
    private readonly extra: Record<string, unknown> | undefined,
    private readonly scanner?: LineScanner,
  ) {
    this.regex = compiled.regex;
    this.fieldList = compiled.fields;
  }

  parseLine(input: string, offset: number): AccessLogDocument {
    const line = stripEol(input);
    const f = this.scratch;
    f.reset();
    if (this.scanner === undefined || !this.scanner(line, f)) {
      const m = this.regex.exec(line);
      if (m === null) {
        this.stats.unparsed++;
        return unparsedDocument(this.module, line, offset, unparsedMessage(line, this.formatName));
      }
      f.reset();
      const fields = this.fieldList;
      for (let i = 0; i < fields.length; i++) {
        const v = m[i + 1];
        if (v !== undefined) f.set(fields[i].kind, fields[i].name, v);
      }
    }
    const doc = buildAccessDocument(f, this.module, line, offset, this.times, this.extra);
    this.stats.parsed++;
    if (doc.sluice?.access.malformed !== undefined) this.stats.malformed++;
    return doc;
  }

  checkHead(head: string, source: string): void {
    assertAccessLog(head, source);
  }
}

/** Parses one JSON object per line (nginx `escape=json` formats, Caddy/Traefik-style logs). */
class JsonLineParser implements AccessLogParser {
  readonly stats: AccessLogStats = { parsed: 0, unparsed: 0, malformed: 0 };
  readonly formatName = 'json';
  private readonly scratch = new AccessLogFields();
  private readonly times = new TimeCache();
  /** Targets by key, resolved once per key seen. */
  private readonly targets = new Map<string, JsonTarget | null>();

  constructor(
    readonly module: AccessLogModule,
    private readonly configured: Readonly<Record<string, string>> | undefined,
    private readonly extra: Record<string, unknown> | undefined,
  ) {}

  parseLine(input: string, offset: number): AccessLogDocument {
    const line = stripEol(input);
    let value: unknown;
    try {
      value = line.charCodeAt(0) === 0x7b /* { */ ? JSON.parse(line) : undefined;
    } catch {
      value = undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.stats.unparsed++;
      return unparsedDocument(this.module, line, offset, line.trim() === '' ? 'empty line' : 'line is not a JSON object');
    }
    const f = this.scratch;
    f.reset();
    const paths: Record<string, unknown> = {};
    let pathsUsed = false;
    this.collect(value as Record<string, unknown>, '', f, paths, () => (pathsUsed = true));
    const extra = pathsUsed ? { ...this.extra, ...paths } : this.extra;
    const doc = buildAccessDocument(f, this.module, line, offset, this.times, extra);
    this.stats.parsed++;
    if (doc.sluice?.access.malformed !== undefined) this.stats.malformed++;
    return doc;
  }

  private collect(obj: Record<string, unknown>, prefix: string, f: AccessLogFields, paths: Record<string, unknown>, used: () => void): void {
    for (const key in obj) {
      const v = obj[key];
      const full = prefix === '' ? key : `${prefix}.${key}`;
      let t = this.targets.get(full);
      if (t === undefined) {
        t = jsonTarget(full, this.configured) ?? null;
        if (this.targets.size < 10_000) this.targets.set(full, t);
      }
      if (t === null && typeof v === 'object' && v !== null && !Array.isArray(v)) {
        this.collect(v as Record<string, unknown>, full, f, paths, used);
        continue;
      }
      if (t !== null && 'path' in t) {
        paths[t.path] = v;
        used();
        continue;
      }
      if (v === null || v === undefined) continue;
      const text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
      if (t === null || text === undefined) {
        f.others.push(full.split('.').map(fieldName).join('.'), v as string);
        continue;
      }
      if (t.kind === 'time_auto') {
        if (text !== '' && text !== '-') {
          f.time = text;
          f.timeKind = 'auto';
        }
      } else if (t.kind === 'time_http' || t.kind === 'time_iso' || t.kind === 'time_epoch_s' || t.kind === 'time_epoch_ms' || t.kind === 'time_epoch_us') {
        // A JSON log's time key says little about its format: detect it.
        f.set(t.kind, t.name, text);
        f.timeKind = 'auto';
      } else f.set(t.kind, t.name, typeof v === 'string' ? v.replace(/\\/g, '\\\\') : text);
    }
  }

  checkHead(head: string, source: string): void {
    assertAccessLog(head, source);
  }
}

function optionError(message: string): SluiceError {
  return new SluiceError('SLUICE_ACCESS_LOG_FORMAT', message);
}

/**
 * Compiles an access-log format once into a parser.
 *
 * @throws SluiceError `SLUICE_ACCESS_LOG_FORMAT` when no format or several are given, the preset
 *   is unknown, or a format string cannot be read.
 */
export function createAccessLogParser(options: AccessLogParserOptions): AccessLogParser {
  const given = [options.format, options.apacheLogFormat, options.nginxLogFormat].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw optionError(
      given === 0
        ? `No access-log format is set. Set access_log.format to one of ${ACCESS_LOG_PRESETS.join(', ')}, or give access_log.apache_log_format or access_log.nginx_log_format.`
        : 'Several access-log formats are set. Set only one of access_log.format, access_log.apache_log_format and access_log.nginx_log_format.',
    );
  }
  const extra = options.fields === undefined || Object.keys(options.fields).length === 0 ? undefined : { ...options.fields };
  if (options.apacheLogFormat !== undefined) {
    return new RegexLineParser('apache', 'apache_log_format', compileLineRegex(parseApacheLogFormat(options.apacheLogFormat)), extra);
  }
  if (options.nginxLogFormat !== undefined) {
    return new RegexLineParser('nginx', 'nginx_log_format', compileLineRegex(parseNginxLogFormat(options.nginxLogFormat)), extra);
  }
  const preset = options.format as string;
  if (!(ACCESS_LOG_PRESETS as readonly string[]).includes(preset)) {
    throw optionError(`The access-log format "${preset}" is unknown. Use one of ${ACCESS_LOG_PRESETS.join(', ')}, or give access_log.apache_log_format or access_log.nginx_log_format.`);
  }
  if (preset === 'json') return new JsonLineParser(options.jsonModule ?? 'nginx', options.jsonFields, extra);
  const { module, segments } = presetSegments(preset as Exclude<AccessLogPreset, 'json'>);
  const scanner = preset === 'apache_common' || preset === 'apache_combined' ? scanApacheLine : preset === 'nginx_combined' ? scanNginxLine : undefined;
  return new RegexLineParser(module, preset, compileLineRegex(segments), extra, scanner);
}
