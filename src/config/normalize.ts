/** Per-key normalization, applied to validated values before the cross-field rules run. */
import { resolve } from 'node:path';

export interface NormalizeContext {
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
}

export interface Normalizer {
  readonly path: string;
  apply(value: unknown, ctx: NormalizeContext): unknown;
}

const absolutePath = (path: string): Normalizer => ({
  path,
  apply: (value, ctx) => (typeof value === 'string' ? resolve(ctx.cwd, value) : value),
});

const absolutePaths = (path: string): Normalizer => ({
  path,
  apply: (value, ctx) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? resolve(ctx.cwd, v) : v)) : value),
});

export const NORMALIZERS: readonly Normalizer[] = [absolutePath('data_dir'), absolutePath('elasticsearch.tls.ca_file'),
  absolutePath('elasticsearch.tls.cert_file'),
  absolutePath('elasticsearch.tls.key_file'),
  absolutePath('watch.dir'),
  absolutePath('watch.archive_dir'),
  absolutePath('watch.quarantine_dir'),
  absolutePath('capture.dir'),
  absolutePaths('geoip.city_db_paths'),
  absolutePaths('geoip.asn_db_paths'),
  absolutePaths('threat.rules_paths'),
];
