/**
 * The plain JSON shape of the original HP_TI tool (`timestamp, level, component, event_type,
 * session_id, source_ip, username, password, …`), mapped onto Cowrie's names so that one
 * normaliser and one ECS mapping serve both.
 */

/** HP_TI key → the Cowrie key holding the same thing. Keys not listed keep their name. */
export const HP_TI_KEY_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  session_id: 'session',
  source_ip: 'src_ip',
  source_port: 'src_port',
  destination_ip: 'dst_ip',
  dest_ip: 'dst_ip',
  destination_port: 'dst_port',
  dest_port: 'dst_port',
  user: 'username',
  command: 'input',
  cmd: 'input',
  sha256: 'shasum',
  file_hash: 'shasum',
  client_version: 'version',
  ssh_version: 'version',
  hostname: 'sensor',
  honeypot: 'sensor',
  duration_seconds: 'duration',
});

/** Normalised HP_TI `event_type` → Cowrie event id. */
const EVENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  connection: 'cowrie.session.connect',
  connect: 'cowrie.session.connect',
  new_connection: 'cowrie.session.connect',
  session_start: 'cowrie.session.connect',
  session_open: 'cowrie.session.connect',
  disconnect: 'cowrie.session.closed',
  connection_closed: 'cowrie.session.closed',
  session_end: 'cowrie.session.closed',
  session_closed: 'cowrie.session.closed',
  login_success: 'cowrie.login.success',
  login_succeeded: 'cowrie.login.success',
  auth_success: 'cowrie.login.success',
  login_failed: 'cowrie.login.failed',
  login_failure: 'cowrie.login.failed',
  auth_failed: 'cowrie.login.failed',
  auth_failure: 'cowrie.login.failed',
  command: 'cowrie.command.input',
  command_input: 'cowrie.command.input',
  shell_command: 'cowrie.command.input',
  command_failed: 'cowrie.command.failed',
  file_download: 'cowrie.session.file_download',
  download: 'cowrie.session.file_download',
  file_download_failed: 'cowrie.session.file_download.failed',
  file_upload: 'cowrie.session.file_upload',
  upload: 'cowrie.session.file_upload',
  client_version: 'cowrie.client.version',
  ssh_version: 'cowrie.client.version',
  client_kex: 'cowrie.client.kex',
  kex: 'cowrie.client.kex',
});

const LOGIN_ATTEMPT = new Set(['login_attempt', 'auth_attempt', 'login', 'authentication']);

/**
 * The Cowrie event id of an HP_TI line, or `hp_ti.<event_type>` when there is none. A generic
 * login attempt becomes success/failed only when the line says which (`success` true/false or
 * `outcome`); otherwise it stays `hp_ti.login_attempt`, because guessing would invent facts.
 */
export function hpTiEventId(eventType: string, object: Record<string, unknown>): string {
  const key = normalizeEventType(eventType);
  if (key.startsWith('cowrie_')) return eventType.trim().toLowerCase();
  const mapped = EVENT_TYPES[key];
  if (mapped !== undefined && Object.hasOwn(EVENT_TYPES, key)) return mapped;
  if (LOGIN_ATTEMPT.has(key)) {
    const success = object.success ?? object.outcome;
    if (success === true || success === 'success' || success === 'succeeded') return 'cowrie.login.success';
    if (success === false || success === 'failure' || success === 'failed') return 'cowrie.login.failed';
  }
  return `hp_ti.${key}`;
}

function normalizeEventType(s: string): string {
  let out = '';
  const t = s.trim().toLowerCase();
  for (let i = 0; i < t.length && out.length < 128; i++) {
    const c = t[i];
    out += c === '.' || c === '-' || c === ' ' ? '_' : c;
  }
  return out;
}
