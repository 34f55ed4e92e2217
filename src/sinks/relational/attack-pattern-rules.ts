/**
 * The attack-pattern rules of the honeypot store, as data. Each rule has a stable id (never reuse
 * one), MITRE ATT&CK technique ids (https://attack.mitre.org/techniques/<id>/) and one matcher:
 * - `failed_logins`: at least `count` failed logins from one address within `windowSecs`;
 * - `distinct_usernames`: at least `count` different usernames tried from one address;
 * - `command`: a command line of the session whose simple commands (split at `;`, `&&`, `||`,
 *   `|`, newlines) start with one of `names` (after `sudo`, `busybox`, paths), or that matches one
 *   of `patterns`;
 * - `download`: the session downloaded or uploaded a file, or ran a command matching `patterns`.
 * Detections are recomputed from the stored rows after every batch, so replays and out-of-order
 * batches give the same result.
 */

/** How a rule decides. */
export type AttackPatternMatcher =
  | { readonly kind: 'failed_logins'; readonly count: number; readonly windowSecs: number }
  | { readonly kind: 'distinct_usernames'; readonly count: number }
  | { readonly kind: 'command'; readonly names?: readonly string[]; readonly patterns?: readonly RegExp[] }
  | { readonly kind: 'download'; readonly patterns: readonly RegExp[] };

/** One rule. */
export interface AttackPatternRule {
  /** Stable id, e.g. `brute_force`. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** MITRE ATT&CK technique ids. */
  readonly techniques: readonly string[];
  /** MITRE ATT&CK tactic (lower-case name). */
  readonly tactic: string;
  readonly severity: 'low' | 'medium' | 'high';
  /** Detections are per source address (`ip`) or per session. */
  readonly scope: 'ip' | 'session';
  readonly match: AttackPatternMatcher;
}

/** The built-in rules. */
export const ATTACK_PATTERN_RULES: readonly AttackPatternRule[] = [
  {
    id: 'brute_force',
    name: 'SSH/Telnet brute force',
    description: 'At least 5 failed logins from one address within 10 minutes.',
    techniques: ['T1110', 'T1110.001'],
    tactic: 'credential-access',
    severity: 'medium',
    scope: 'ip',
    match: { kind: 'failed_logins', count: 5, windowSecs: 600 },
  },
  {
    id: 'credential_stuffing',
    name: 'Credential stuffing / spraying',
    description: 'At least 5 different usernames tried from one address.',
    techniques: ['T1110.003', 'T1110.004'],
    tactic: 'credential-access',
    severity: 'medium',
    scope: 'ip',
    match: { kind: 'distinct_usernames', count: 5 },
  },
  {
    id: 'recon_commands',
    name: 'System reconnaissance commands',
    description: 'Commands that survey the host: system, user, process and network discovery.',
    techniques: ['T1082', 'T1033', 'T1057', 'T1016', 'T1049'],
    tactic: 'discovery',
    severity: 'low',
    scope: 'session',
    match: {
      kind: 'command',
      names: ['uname', 'nproc', 'lscpu', 'w', 'who', 'id', 'whoami', 'hostname', 'ifconfig', 'ip', 'netstat', 'ss', 'ps', 'top', 'free', 'df', 'uptime', 'lspci', 'dmidecode', 'arch', 'getconf', 'last', 'lsb_release'],
      patterns: [/\/proc\/(?:cpuinfo|meminfo|version|mounts)\b/, /\/etc\/(?:issue|os-release|.*-release)\b/, /\bsudo\s+-l\b/],
    },
  },
  {
    id: 'credential_dumping',
    name: 'Reading password files',
    description: 'Commands that read /etc/shadow or /etc/passwd.',
    techniques: ['T1003.008'],
    tactic: 'credential-access',
    severity: 'medium',
    scope: 'session',
    match: { kind: 'command', patterns: [/\/etc\/(?:shadow|passwd|gshadow|master\.passwd)\b/] },
  },
  {
    id: 'malware_download',
    name: 'Tool or malware download',
    description: 'A file download/upload event, or wget/curl/tftp/ftpget/scp in a command.',
    techniques: ['T1105'],
    tactic: 'command-and-control',
    severity: 'high',
    scope: 'session',
    match: { kind: 'download', patterns: [/(?:^|[\s;|&/(])(?:wget|curl|tftp|ftpget|fetch|lwp-download)\b/, /\bscp\s/] },
  },
  {
    id: 'crypto_mining',
    name: 'Cryptocurrency mining',
    description: 'Miner binaries, mining pools or stratum URLs in a command.',
    techniques: ['T1496'],
    tactic: 'impact',
    severity: 'high',
    scope: 'session',
    match: { kind: 'command', patterns: [/xmrig|minerd|cpuminer|xmr-stak|nicehash|stratum\+(?:tcp|ssl|tls):\/\/|--donate-level|moneroocean|c3pool|supportxmr|nanopool/i] },
  },
  {
    id: 'persistence_cron',
    name: 'Persistence through cron',
    description: 'crontab or files under /etc/cron* or /var/spool/cron written.',
    techniques: ['T1053.003'],
    tactic: 'persistence',
    severity: 'high',
    scope: 'session',
    match: { kind: 'command', names: ['crontab'], patterns: [/\/etc\/cron|\/var\/spool\/cron/] },
  },
  {
    id: 'persistence_ssh_key',
    name: 'Persistence through SSH authorized_keys',
    description: 'An authorized_keys file touched (the classic `echo ssh-rsa … >> ~/.ssh/authorized_keys`).',
    techniques: ['T1098.004'],
    tactic: 'persistence',
    severity: 'high',
    scope: 'session',
    match: { kind: 'command', patterns: [/authorized_keys/] },
  },
  {
    id: 'persistence_startup',
    name: 'Persistence through shell start-up files or services',
    description: '.bashrc/.profile edits, rc.local, init.d scripts or systemd units enabled.',
    techniques: ['T1546.004', 'T1543.002', 'T1037.004'],
    tactic: 'persistence',
    severity: 'high',
    scope: 'session',
    match: {
      kind: 'command',
      names: ['update-rc.d', 'chkconfig'],
      patterns: [/\.(?:bashrc|bash_profile|profile|zshrc)\b/, /\/etc\/rc\.local\b/, /\/etc\/init\.d\//, /systemctl\s+(?:--\S+\s+)*enable\b/, /\/etc\/systemd\/system\//],
    },
  },
  {
    id: 'indicator_removal',
    name: 'Clearing tracks',
    description: 'Shell history cleared or disabled, logs removed.',
    techniques: ['T1070.003', 'T1070.002'],
    tactic: 'defense-evasion',
    severity: 'medium',
    scope: 'session',
    match: { kind: 'command', patterns: [/\bhistory\s+-c\b/, /unset\s+HISTFILE|HISTFILE=\/dev\/null|HISTSIZE=0/, /rm\s+(?:-\S+\s+)*\/var\/log\b/, /\.bash_history/] },
  },
];

/** Commands that run the next word as the command. */
const WRAPPERS = new Set(['sudo', 'busybox', 'nohup', 'exec', 'command', 'env', 'time']);

/** The names of the simple commands of a command line, lower-cased (`sudo`/`busybox`/paths dropped). */
export function commandNames(line: string): string[] {
  const out: string[] = [];
  for (const part of line.split(/;|&&|\|\||\||\n/)) {
    const words = part.trim().split(/\s+/).filter((w) => w !== '');
    let i = 0;
    while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]) || WRAPPERS.has(words[i].slice(words[i].lastIndexOf('/') + 1).toLowerCase()))) {
      i++;
      // The wrapper's own flags (`sudo -n id`); an option argument (`sudo -u root id`) is not skipped.
      while (i < words.length && words[i].startsWith('-')) i++;
    }
    if (i < words.length) {
      const w = words[i].replace(/^\(+/, '');
      const base = w.slice(w.lastIndexOf('/') + 1).toLowerCase();
      if (base !== '') out.push(base);
    }
  }
  return out;
}

/** True when `input` is evidence for a `command` or `download` matcher. */
export function commandMatches(match: AttackPatternMatcher, input: string): boolean {
  if (match.kind === 'command') {
    if (match.names && match.names.length > 0) {
      const names = commandNames(input);
      if (names.some((n) => match.names!.includes(n))) return true;
    }
    return (match.patterns ?? []).some((re) => re.test(input));
  }
  if (match.kind === 'download') return match.patterns.some((re) => re.test(input));
  return false;
}
