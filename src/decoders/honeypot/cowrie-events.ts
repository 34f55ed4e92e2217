/**
 * Every event id Cowrie 2.x and 3.x writes, with its ECS classification and the fields it carries.
 *
 * Sources: Cowrie's own catalogue `src/cowrie/core/eventids.py` (3.x: "the single list every
 * emitter, consumer and docs section is checked against"), `docs/OUTPUT.rst` (field lists), the
 * `eventid=` call sites in `src/cowrie/` and the two real logs in the shared corpus (2018 and 2026).
 * Ids that only 2.x writes (`cowrie.log.open`, `cowrie.command.success`) are kept: old logs are
 * ingested too. An id that is not here is kept as an unknown event, never dropped.
 *
 * The classification follows the ECS categorization fields
 * (https://www.elastic.co/guide/en/ecs/current/ecs-category-field-values-reference.html): logins are
 * `authentication`, commands `process`, connections `network`/`session`, downloads `file`, and the
 * reputation look-ups (VirusTotal, GreyNoise, URLhaus, reverse DNS) are `event.kind: enrichment`.
 */

/** ECS `event.kind` values used for Cowrie events. */
export type CowrieEventKind = 'event' | 'enrichment' | 'state';

/** ECS classification and documented fields of one Cowrie event id. */
export interface CowrieEventSpec {
  /** ECS `event.kind`. */
  readonly kind: CowrieEventKind;
  /** ECS `event.category` (allowed values only). */
  readonly category: readonly string[];
  /** ECS `event.type` (allowed values for the categories). */
  readonly type: readonly string[];
  /** ECS `event.outcome` when the id itself says it (login.failed → failure). */
  readonly outcome?: 'success' | 'failure';
  /** Fields this id carries besides the shared ones (eventid, timestamp, session, src_ip, sensor, message). */
  readonly fields: readonly string[];
  /** Cowrie versions that write it. */
  readonly versions: '2.x' | '3.x' | '2.x, 3.x';
  /** One line for the reference page. */
  readonly description: string;
}

const spec = (
  kind: CowrieEventKind,
  category: readonly string[],
  type: readonly string[],
  fields: readonly string[],
  description: string,
  outcome?: 'success' | 'failure',
  versions: CowrieEventSpec['versions'] = '2.x, 3.x',
): CowrieEventSpec => Object.freeze({ kind, category, type, fields, description, versions, ...(outcome ? { outcome } : {}) });

/** The table: event id → classification and fields. */
export const COWRIE_EVENTS: Readonly<Record<string, CowrieEventSpec>> = Object.freeze({
  // The connection and what passed through it.
  'cowrie.session.connect': spec('event', ['network', 'session'], ['connection', 'start'], ['src_port', 'dst_ip', 'dst_port', 'protocol'], 'New TCP connection to the honeypot.'),
  'cowrie.session.closed': spec('event', ['network', 'session'], ['connection', 'end'], ['duration', 'duration_ms'], 'Connection closed; `duration` is seconds (a string in 2.x/3.x JSON, a number in old logs), `duration_ms` milliseconds.'),
  'cowrie.session.params': spec('event', ['session'], ['info'], ['arch'], 'Architecture the fake shell pretends to be.'),
  'cowrie.session.file_download': spec('event', ['file', 'network'], ['creation', 'connection'], ['url', 'outfile', 'shasum', 'destfile', 'filename', 'size'], 'A file fetched by the attacker (wget, curl, tftp, ftpget, …) was saved.', 'success'),
  'cowrie.session.file_download.failed': spec('event', ['file', 'network'], ['creation', 'connection'], ['url', 'outfile', 'filename'], 'A download attempt failed; the URL is still an indicator.', 'failure'),
  'cowrie.session.file_upload': spec('event', ['file'], ['creation'], ['filename', 'outfile', 'shasum', 'size'], 'A file uploaded through SFTP/SCP or redirected output was saved.', 'success'),
  'cowrie.session.input': spec('event', ['session'], ['info'], ['realm', 'input'], 'Raw input sent on a non-shell channel (exec, subsystem).'),
  // What the client told us about itself.
  'cowrie.client.version': spec('event', ['network'], ['protocol'], ['version', 'kexAlgs', 'keyAlgs', 'encCS', 'macCS', 'compCS'], 'SSH identification string (2.x also logs the algorithm lists here).'),
  'cowrie.client.kex': spec('event', ['network'], ['protocol'], ['hassh', 'hasshAlgorithms', 'kexAlgs', 'keyAlgs', 'encCS', 'macCS', 'compCS', 'langCS'], 'SSH key exchange offer and its HASSH fingerprint.'),
  'cowrie.client.size': spec('event', ['session'], ['info'], ['width', 'height'], 'Terminal size requested by the client.'),
  'cowrie.client.var': spec('event', ['session'], ['info'], ['name', 'value'], 'Environment variable the client asked to set.'),
  'cowrie.client.fingerprint': spec('event', ['authentication'], ['info'], ['username', 'fingerprint', 'key', 'type'], 'Public-key login attempt: the key and its fingerprint.'),
  'cowrie.client.malformed_packet': spec('event', ['network'], ['protocol'], [], 'The client sent an SSH packet Cowrie could not parse.', 'failure', '3.x'),
  // Authentication.
  'cowrie.login.success': spec('event', ['authentication'], ['start'], ['username', 'password'], 'Login accepted.', 'success'),
  'cowrie.login.failed': spec('event', ['authentication'], ['start'], ['username', 'password'], 'Login refused.', 'failure'),
  // Commands the attacker ran.
  'cowrie.command.input': spec('event', ['process'], ['start'], ['input'], 'A command line typed or sent (exec) by the attacker.'),
  'cowrie.command.failed': spec('event', ['process'], ['start'], ['input'], 'A command the fake shell does not know.', 'failure'),
  'cowrie.command.success': spec('event', ['process'], ['start'], ['input'], 'A command that ran (older releases).', 'success'),
  'cowrie.command.chpasswd': spec('event', ['iam'], ['change', 'user'], ['username', 'password'], 'Password change through chpasswd/passwd inside the fake shell.', undefined, '3.x'),
  // Port forwarding the attacker requested.
  'cowrie.direct-tcpip.request': spec('event', ['network'], ['connection', 'start'], ['dst_ip', 'dst_port', 'src_ip', 'src_port'], 'The client asked the honeypot to open a TCP connection for it (ssh -L / proxying).'),
  'cowrie.direct-tcpip.data': spec('event', ['network'], ['connection'], ['dst_ip', 'dst_port', 'data', 'id'], 'Data the client tried to send through a forwarded connection.'),
  'cowrie.direct-tcpip.redirect': spec('event', ['network'], ['connection'], ['dst_ip', 'dst_port', 'new_ip', 'new_port'], 'A forwarded connection was redirected to another host.', undefined, '3.x'),
  'cowrie.direct-tcpip.tunnel': spec('event', ['network'], ['connection'], ['dst_ip', 'dst_port'], 'A forwarded connection was tunnelled through a proxy.', undefined, '3.x'),
  'cowrie.direct-tcpip.ja4': spec('event', ['network'], ['protocol'], ['ja4'], 'JA4 TLS client fingerprint of forwarded traffic.', undefined, '3.x'),
  'cowrie.direct-tcpip.ja4h': spec('event', ['network'], ['protocol'], ['ja4h'], 'JA4H HTTP client fingerprint of forwarded traffic.', undefined, '3.x'),
  'cowrie.tunnelproxy-tcpip.data': spec('event', ['network'], ['connection'], ['dst_ip', 'dst_port', 'data'], 'Data sent through the tunnel proxy.', undefined, '3.x'),
  // TTY session recordings.
  'cowrie.log.open': spec('event', ['session'], ['start'], ['ttylog'], 'TTY recording started (2.x).', undefined, '2.x'),
  'cowrie.log.closed': spec('event', ['session'], ['end'], ['ttylog', 'size', 'shasum', 'duplicate', 'duration', 'duration_ms'], 'TTY recording closed: file, size, SHA-256 of the attacker input, duration.'),
  // Telnet negotiation.
  'cowrie.telnet.option': spec('event', ['network'], ['protocol'], [], 'Telnet option negotiation.', undefined, '3.x'),
  'cowrie.telnet.error': spec('event', ['network'], ['protocol'], [], 'Telnet protocol error.', 'failure', '3.x'),
  'cowrie.telnet.exploit_attempt': spec('event', ['intrusion_detection', 'network'], ['info'], [], 'Known telnet exploit attempt.', undefined, '3.x'),
  'cowrie.telnet.exploit_success': spec('event', ['intrusion_detection', 'network'], ['info'], [], 'Known telnet exploit that would have succeeded.', 'success', '3.x'),
  // Proxy backend plumbing (proxy mode).
  'cowrie.proxy.backend_connected': spec('event', ['network'], ['connection', 'start'], [], 'Proxy mode: connected to the backend.', 'success', '3.x'),
  'cowrie.proxy.backend_connect_error': spec('event', ['network'], ['connection'], [], 'Proxy mode: the backend could not be reached.', 'failure', '3.x'),
  'cowrie.proxy.backend_disconnected': spec('event', ['network'], ['connection', 'end'], [], 'Proxy mode: the backend closed.', undefined, '3.x'),
  'cowrie.proxy.client_disconnect': spec('event', ['network'], ['connection', 'end'], [], 'Proxy mode: the client closed.', undefined, '3.x'),
  'cowrie.proxy.ssh': spec('event', ['network'], ['protocol'], [], 'Proxy mode: SSH-level event.', undefined, '3.x'),
  // Reputation and enrichment output plugins.
  'cowrie.virustotal.scanfile': spec('enrichment', ['threat'], ['indicator'], ['sha256', 'is_new', 'positives', 'total'], 'VirusTotal verdict for a downloaded file.'),
  'cowrie.virustotal.scanurl': spec('enrichment', ['threat'], ['indicator'], ['url', 'is_new', 'positives', 'total'], 'VirusTotal verdict for a URL.'),
  'cowrie.greynoise.result': spec('enrichment', ['threat'], ['indicator'], [], 'GreyNoise classification of the source IP.', undefined, '3.x'),
  'cowrie.urlhaus.submitted': spec('enrichment', ['threat'], ['indicator'], ['url', 'shasum'], 'URL submitted to URLhaus.', undefined, '3.x'),
  'cowrie.reversedns.connect': spec('enrichment', ['network'], ['info'], [], 'Reverse DNS of the source IP.', undefined, '3.x'),
  'cowrie.reversedns.forward': spec('enrichment', ['network'], ['info'], [], 'Reverse DNS of a forwarding target.', undefined, '3.x'),
  'cowrie.abuseipdb.reportedip': spec('event', [], ['info'], [], 'AbuseIPDB plugin reported the source IP.'),
  'cowrie.abuseipdb.reportfail': spec('event', [], ['info'], [], 'AbuseIPDB plugin failed to report.', 'failure'),
  'cowrie.abuseipdb.ratelimited': spec('event', [], ['info'], [], 'AbuseIPDB plugin is rate limited.'),
  'cowrie.abuseipdb.started': spec('state', [], ['info'], [], 'AbuseIPDB plugin started.'),
  'cowrie.abuseipdb.wakeup': spec('state', [], ['info'], [], 'AbuseIPDB plugin woke up.'),
});

/** The spec of `eventid`, or undefined when Cowrie is not known to write it. */
export function cowrieEventSpec(eventid: string): CowrieEventSpec | undefined {
  return Object.hasOwn(COWRIE_EVENTS, eventid) ? COWRIE_EVENTS[eventid] : undefined;
}

/** The classification of event ids not in the table (kept, tagged unknown). */
export const UNKNOWN_EVENT_SPEC: CowrieEventSpec = spec('event', [], ['info'], [], 'Event id not known to sluice: kept with its raw fields.');
