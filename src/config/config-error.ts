/** The errors `loadConfig` throws: every validation problem at once, or an unreadable file. */
import { SluiceError } from '../errors.js';

/** One configuration problem. */
export interface ConfigProblem {
  /** Dotted path of the key, with `[i]` for list items: `elasticsearch.urls[1]`. */
  readonly path: string;
  /** What is wrong; never contains a secret value. */
  readonly message: string;
  /** Where the value came from: `flag --data-dir`, `env SLUICE_DATA_DIR`, `/abs/.env:3 SLUICE_DATA_DIR`, `/abs/sluice.yaml:12`, `default`, or `rule <name>`. */
  readonly source: string;
}

/** `path: message (from source)`, one line. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.path}: ${p.message} (from ${p.source})`;
}

/** `SLUICE_CONFIG_INVALID`: the message has a header line, then one line per problem. */
export class ConfigError extends SluiceError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const n = problems.length;
    super('SLUICE_CONFIG_INVALID', [`invalid configuration (${n} problem${n === 1 ? '' : 's'}):`, ...problems.map(formatProblem)].join('\n'));
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}

/** `SLUICE_CONFIG_FILE`: a configuration or .env file is missing, unreadable or not valid YAML. */
export class ConfigFileError extends SluiceError {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(file: string, message: string, where: { line?: number; column?: number; cause?: unknown } = {}) {
    const at = where.line === undefined ? '' : `:${where.line}${where.column === undefined ? '' : `:${where.column}`}`;
    super('SLUICE_CONFIG_FILE', `${file}${at}: ${message}`, { cause: where.cause });
    this.file = file;
    this.line = where.line;
    this.column = where.column;
  }
}
