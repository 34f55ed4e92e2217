/**
 * `sluice setup`: prepares the cluster for packet documents. Installs the lifecycle policy (ILM on
 * Elasticsearch, ISM on OpenSearch) and the index template, idempotently, and prints what it did;
 * with `--api-keys` also creates a publish key and a read key (Elasticsearch only) and prints
 * them once.
 */
import type { SluiceConfig } from '../../config/index.js';
import { SluiceError } from '../../errors.js';
import { processIO, type CommandIO } from '../output.js';
import { engineClientFromConfig } from './engine-client-from-config.js';

/** Options of {@link runSetupCommand} (already merged from flags, environment, file and defaults). */
export interface SetupCommandOptions {
  readonly elasticsearch: SluiceConfig['elasticsearch'];
  /** Also create the publish and read API keys (Elasticsearch with security only). */
  readonly apiKeys: boolean;
  /** Delete indices this many days after creation. Default 30. */
  readonly deleteAfterDays?: number;
  readonly output: 'table' | 'json';
}

/** Runs setup; returns the exit code (0; errors are thrown as SluiceErrors). */
export async function runSetupCommand(options: SetupCommandOptions, io: CommandIO = processIO): Promise<number> {
  if (options.deleteAfterDays !== undefined && (!Number.isInteger(options.deleteAfterDays) || options.deleteAfterDays < 1)) {
    throw new SluiceError('SLUICE_USAGE', `--delete-after-days expects a positive whole number of days, got ${options.deleteAfterDays}`);
  }
  const { detectEngine } = await import('../../sinks/elasticsearch/http/index.js');
  const { runSetup, createApiKeys } = await import('../../sinks/elasticsearch/setup/index.js');
  const es = options.elasticsearch;
  const client = engineClientFromConfig(es!, io);
  try {
    const engine = await detectEngine(client);
    io.stderr.write(`Connected to ${engine.distribution} ${engine.version.text} at ${client.nodes.join(', ')}.\n`);
    if (options.apiKeys && engine.distribution === 'opensearch') {
      // Fail before changing anything.
      await createApiKeys(client, { indexPattern: es.index_pattern, engine });
    }
    const report = await runSetup(client, { indexPattern: es.index_pattern, deleteAfterDays: options.deleteAfterDays, engine, dataStream: es.data_stream });
    const keys = options.apiKeys ? await createApiKeys(client, { indexPattern: es.index_pattern, engine }) : undefined;

    if (options.output === 'json') {
      io.stdout.write(JSON.stringify(keys ? { ...report, apiKeys: keys } : report) + '\n');
      return 0;
    }
    if (report.policy.action === 'skipped') io.stderr.write(`sluice: warning: no lifecycle policy installed: ${report.policy.note ?? ''}\n`);
    const p = report.policy;
    const t = report.template;
    const lines = [
      p.action === 'skipped'
        ? `Lifecycle policy ${p.name} (${p.kind.toUpperCase()}): skipped: ${p.note ?? 'not available on this engine'}.`
        : `Lifecycle policy ${p.name} (${p.kind.toUpperCase()}, ${p.path}): ${p.action}; deletes ${p.indexPatterns.join(', ')} indices ${p.deleteAfterDays} days after they are created.`,
      `Index template ${t.name} (${t.indexPatterns.join(', ')}): ${t.action}${t.lifecycleSetting ? `; new indices get index.lifecycle.name: ${t.lifecycleSetting}` : p.kind === 'ism' ? '; new indices attach to the ISM policy through its ism_template' : ''}.`,
    ];
    if (keys) {
      lines.push(
        '',
        'API keys — shown ONCE, Elasticsearch never shows the secrets again. Store them now:',
        `  publish (create_doc, create_index on ${t.indexPatterns.join(', ')}): name ${keys.publish.name}, id ${keys.publish.id}`,
        `    elasticsearch.api_key: ${keys.publish.encoded}`,
        `  read (read, view_index_metadata on ${t.indexPatterns.join(', ')}): name ${keys.read.name}, id ${keys.read.id}`,
        `    elasticsearch.api_key: ${keys.read.encoded}`,
        'Put the publish key in the configuration of the ingest host (elasticsearch.api_key or SLUICE_ELASTICSEARCH__API_KEY).',
      );
    }
    io.stdout.write(lines.join('\n') + '\n');
    return 0;
  } finally {
    await client.close();
  }
}
