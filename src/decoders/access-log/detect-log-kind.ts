import { SluiceError } from '../../errors.js';

/** A kind of log that is not an access log but is easily fed to one by mistake. */
export type WrongLogKind = 'apache_error' | 'nginx_error';

/**
 * Apache error log, 2.2 (`[Sun Dec 04 04:47:44 2005] [notice] …`) and 2.4
 * (`[Mon Jan 02 10:00:00.123456 2023] [core:error] [pid 123:tid 456] …`).
 */
const APACHE_ERROR =
  /^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)? \d{4}\] \[(?:[\w-]+:)?(?:emerg|alert|crit|error|warn|notice|info|debug|trace[1-8])\]/;
/** nginx error log: `2016/10/25 14:49:34 [error] 54053#0: *1 open() … failed`. */
const NGINX_ERROR = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[(?:emerg|alert|crit|error|warn|notice|info|debug)\] \d+#\d+: /;

/** How many non-empty lines from the head are looked at. */
const SAMPLE_LINES = 10;

/** The wrong kind one line belongs to, if it is an error-log line. */
export function errorLogLineKind(line: string): WrongLogKind | undefined {
  if (line.startsWith('[') && APACHE_ERROR.test(line)) return 'apache_error';
  if (NGINX_ERROR.test(line)) return 'nginx_error';
  return undefined;
}

/**
 * Looks at the first non-empty lines of a file (`head`: its first bytes as text) and says whether
 * it is an error log rather than an access log: more than half of up to 10 lines must be
 * error-log lines, so a stray error line inside an access log does not condemn the file.
 */
export function detectWrongLogKind(head: string): WrongLogKind | undefined {
  const lines = head.split('\n', SAMPLE_LINES * 4);
  // The last piece may be a cut line: leave it out unless it is the only one.
  if (lines.length > 1 && !head.endsWith('\n')) lines.pop();
  const counts = { apache_error: 0, nginx_error: 0 };
  let seen = 0;
  for (const l of lines) {
    const line = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (line.trim() === '') continue;
    const k = errorLogLineKind(line);
    if (k !== undefined) counts[k]++;
    if (++seen === SAMPLE_LINES) break;
  }
  if (seen === 0) return undefined;
  if (counts.apache_error * 2 > seen) return 'apache_error';
  if (counts.nginx_error * 2 > seen) return 'nginx_error';
  return undefined;
}

/**
 * Refuses a file that is an error log (see {@link detectWrongLogKind}).
 *
 * @param head the first bytes of the file as text (a few KiB is plenty)
 * @param source the file name, for the message
 * @throws SluiceError `SLUICE_LOG_WRONG_KIND`
 */
export function assertAccessLog(head: string, source: string): void {
  const kind = detectWrongLogKind(head);
  if (kind === undefined) return;
  const what =
    kind === 'apache_error'
      ? 'an Apache error log (lines like "[Sun Dec 04 04:47:44 2005] [notice] …", written by the ErrorLog directive)'
      : 'an nginx error log (lines like "2016/10/25 14:49:34 [error] 54053#0: …", written by the error_log directive)';
  const instead =
    kind === 'apache_error'
      ? 'the access log written by CustomLog/TransferLog (often access_log or access.log next to it)'
      : 'the access log written by the access_log directive (often access.log next to it)';
  throw new SluiceError(
    'SLUICE_LOG_WRONG_KIND',
    `${source} is ${what}, not an access log; nothing was read from it. Give sluice ${instead} instead. Error logs are not parsed as access logs because their lines would all be failures.`,
  );
}
