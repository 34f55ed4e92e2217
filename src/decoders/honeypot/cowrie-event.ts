/**
 * The normalised record of one Cowrie (or HP_TI) log line: one flat object per event with a stable
 * shape, every value validated and sanitised. Optional fields are absent (undefined) when the line
 * did not carry them or carried something unusable (then {@link CowrieEvent.flags} says
 * `invalid_field` and the value survives in {@link CowrieEvent.raw} and `event.original`).
 */

/** Which input shape a line had. */
export type CowrieLineFormat = 'cowrie' | 'hp_ti';

/** What the parser changed or noticed; each becomes an ECS `tags` entry. */
export type CowrieFlag =
  /** A control character was escaped as `\xNN`. */
  | 'control_chars'
  /** Invalid UTF-8 bytes (or lone surrogates) were replaced with U+FFFD. */
  | 'invalid_utf8'
  /** A value was cut at the field size limit (names in {@link CowrieEvent.truncatedFields}). */
  | 'truncated'
  /** A field had an unusable value (an IP that is not one, a port out of range); kept only raw. */
  | 'invalid_field'
  /** The event id is not one Cowrie is known to write. */
  | 'unknown_eventid';

/** One event. */
export interface CowrieEvent {
  /** Cowrie event id (`cowrie.login.failed`); for HP_TI lines the mapped id, or `hp_ti.<event_type>`. */
  eventid: string;
  /** The id is in the table of known Cowrie events (COWRIE_EVENTS). */
  known: boolean;
  format: CowrieLineFormat;
  /** UTC, ISO-8601, the fraction as Cowrie wrote it (microseconds): `2018-05-06T17:44:05.866769Z`. */
  timestamp: string;
  session?: string;
  src_ip?: string;
  src_port?: number;
  dst_ip?: string;
  dst_port?: number;
  /** `ssh` or `telnet` (lower case); inferred from the 2.x `system` field when `protocol` is missing. */
  protocol?: string;
  /** Honeypot name (Cowrie `sensor`). */
  sensor?: string;
  /** Cowrie instance uuid (3.x). */
  uuid?: string;
  /** Human-readable message; arrays (2.x) joined with a newline, empty arrays absent. */
  message?: string;
  username?: string;
  password?: string;
  /** Command line (command.*, session.input). */
  input?: string;
  url?: string;
  outfile?: string;
  filename?: string;
  /** SHA-256 (hex, lower case) of the downloaded/uploaded file or TTY log input (VirusTotal's `sha256` too). */
  shasum?: string;
  /** Size in bytes (log.closed, downloads). */
  size?: number;
  /** Seconds, from `duration` (string or number) or `duration_ms`. */
  duration?: number;
  ttylog?: string;
  duplicate?: boolean;
  arch?: string;
  /** SSH client identification string. */
  version?: string;
  hassh?: string;
  hasshAlgorithms?: string;
  kexAlgs?: string[];
  keyAlgs?: string[];
  encCS?: string[];
  macCS?: string[];
  compCS?: string[];
  langCS?: string[];
  width?: number;
  height?: number;
  /** client.var name/value. */
  name?: string;
  value?: string;
  /** Public key fingerprint, key and key type (client.fingerprint). */
  fingerprint?: string;
  key?: string;
  keyType?: string;
  /** direct-tcpip data (Python repr of the bytes, as Cowrie logs it). */
  data?: string;
  /** VirusTotal verdict. */
  positives?: number;
  total?: number;
  isNew?: boolean;
  /** Cowrie 2.x Twisted `system` and `isError`. */
  system?: string;
  isError?: boolean;
  /** HP_TI `level` and `component`. */
  level?: string;
  component?: string;
  /** Sanitised fields of the line that none of the above holds (for `cowrie.extra`); undefined when none. */
  extra?: Record<string, unknown>;
  /** What was changed or noticed; empty for a clean line. */
  flags: CowrieFlag[];
  /** Names of the fields cut at the size limit. */
  truncatedFields: string[];
  /** The parsed JSON object as it was (not sanitised). */
  raw: Record<string, unknown>;
  /** The line as text (invalid UTF-8 replaced, cut at the size limit), for `event.original`. */
  original: string;
}

/** Where a line came from; the caller builds document ids from it. */
export interface CowrieLinePosition {
  /** Byte offset of the line's first byte in its file. */
  readonly offset?: number;
  /** 1-based line number, for messages. */
  readonly line?: number;
  /**
   * False when the line is the end of the file without its newline (the file is still being
   * written): if it is not valid JSON it is reported as incomplete, not as an error. Default true.
   */
  readonly terminated?: boolean;
}

/** Why a line gave no event. */
export type CowrieRejectReason =
  /** The line is empty or only white space (callers skip it). */
  | 'empty'
  /** Invalid JSON that ends where a complete object would continue: a line still being written. */
  | 'incomplete'
  | 'invalid_json'
  /** Valid JSON that is not an object. */
  | 'not_an_object'
  /** An object with neither `eventid` (Cowrie) nor `event_type` (HP_TI). */
  | 'no_eventid'
  /** No usable `timestamp`. */
  | 'invalid_timestamp';

/** The result of parsing one line: never thrown, always one of these. */
export type CowrieParseResult =
  | { readonly ok: true; readonly event: CowrieEvent }
  | {
      readonly ok: false;
      readonly reason: CowrieRejectReason;
      /** One sentence for the user (no secrets: it never quotes field values). */
      readonly error: string;
      /** The line as text (invalid UTF-8 replaced, cut at the size limit). */
      readonly raw: string;
      readonly position?: CowrieLinePosition;
    };
