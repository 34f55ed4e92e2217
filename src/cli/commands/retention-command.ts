/**
 * `sluice retention --older-than 30d [--apply]`: deletes daily packet indices by the UTC date in
 * their name. A dry run (the default) lists what would go; `--apply` deletes, one index at a time.
 * Only names that fully match elasticsearch.index_pattern are considered.
 */
import type { SluiceConfig } from '../../config/index.js';
import { formatBytes, formatCount, processIO, type CommandIO } from '../output.js';
import { parseRetentionDuration, msToDays } from '../../sinks/elasticsearch/setup/daily-pattern.js';
import { engineClientFromConfig } from './engine-client-from-config.js';

export { parseRetentionDuration } from '../../sinks/elasticsearch/setup/daily-pattern.js';

/** Options of {@link runRetention}. */
export interface RetentionCommandOptions {
  readonly elasticsearch: SluiceConfig['elasticsearch'];
  /** `30d`, `12h`, `2w`. */
  readonly olderThan: string;
  /** Delete; `false` (default) is a dry run. */
  readonly apply: boolean;
  readonly output: 'table' | 'json';
  /** "Now", epoch ms (tests). */
  readonly now?: number;
}

/** Exit codes: 0 done (or dry run), 1 some deletions failed. */
export async function runRetention(options: RetentionCommandOptions, io: CommandIO = processIO): Promise<number> {
  const olderThanMs = parseRetentionDuration(options.olderThan);
  const { detectEngine } = await import('../../sinks/elasticsearch/http/index.js');
  const { retentionPlan, applyRetention, assertDailyPattern } = await import('../../sinks/elasticsearch/setup/index.js');
  const es = options.elasticsearch;
  assertDailyPattern(es.index_pattern);
  const client = engineClientFromConfig(es!, io);
  try {
    const engine = await detectEngine(client);
    io.stderr.write(`Connected to ${engine.distribution} ${engine.version.text} at ${client.nodes.join(', ')}.\n`);
    const plan = await retentionPlan(client, { indexPattern: es.index_pattern, olderThanDays: msToDays(olderThanMs), now: options.now });
    const result = options.apply ? await applyRetention(client, plan) : undefined;

    if (options.output === 'json') {
      io.stdout.write(JSON.stringify({ dryRun: !options.apply, olderThan: options.olderThan, ...plan, ...(result ? { result } : {}) }) + '\n');
      return result && result.failed.length > 0 ? 1 : 0;
    }
    const lines: string[] = [];
    const docs = plan.indices.reduce((a, i) => a + (i.docs ?? 0), 0);
    const bytes = plan.indices.reduce((a, i) => a + (i.bytes ?? 0), 0);
    if (plan.indices.length === 0) {
      lines.push(`No ${es.index_pattern} index is older than ${options.olderThan} (days before ${plan.cutoff.slice(0, 10)}); nothing to delete. ${plan.kept.length} daily index(es) kept.`);
    } else {
      const rows = plan.indices.map((i) => [i.index, i.day, i.docs === null ? '-' : formatCount(i.docs), i.bytes === null ? '-' : formatBytes(i.bytes)]);
      const head = ['INDEX', 'DAY', 'DOCS', 'SIZE'];
      const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
      const fmt = (r: string[]) => r.map((v, c) => (c >= 2 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd();
      lines.push(options.apply ? `Deleting ${plan.indices.length} index(es) older than ${options.olderThan}:` : `Would delete ${plan.indices.length} index(es) older than ${options.olderThan} (dry run, nothing deleted):`);
      lines.push(fmt(head), ...rows.map(fmt));
      lines.push(`Total: ${formatCount(docs)} documents, ${formatBytes(bytes)}. ${plan.kept.length} newer daily index(es) kept.`);
    }
    if (plan.ignored.length > 0) lines.push(`Not daily indices of ${es.index_pattern}, left alone: ${plan.ignored.join(', ')}`);
    if (result) {
      lines.push(`Deleted ${result.deleted.length}${result.missing.length > 0 ? `, ${result.missing.length} already gone` : ''}${result.failed.length > 0 ? `, ${result.failed.length} FAILED` : ''}.`);
      for (const f of result.failed) lines.push(`  ! ${f.index}: HTTP ${f.status} ${f.reason}`);
    } else if (plan.indices.length > 0) {
      lines.push(`To delete them, run again with --apply.`);
    }
    io.stdout.write(lines.join('\n') + '\n');
    return result && result.failed.length > 0 ? 1 : 0;
  } finally {
    await client.close();
  }
}
