/** The Elasticsearch/OpenSearch sink of log documents, as `sluice tail` and `sluice consume` use it. */
import type { DaemonOps } from '../../api/daemon-ops.js';
import { engineReadiness } from '../../api/readiness.js';
import type { SluiceConfig } from '../../config/index.js';
import { ACCESS_LOG_MAPPED_FIELDS } from '../../decoders/access-log/access-log-mapped-fields.js';
import type { LogSink } from '../../pipeline/logs/log-sink.js';
import { templatePattern } from '../../sinks/elasticsearch/index-template.js';
import type { CommandIO } from '../output.js';

/**
 * The engine sink of `config.elasticsearch` for a log dataset: connects, detects the engine, installs
 * the dataset's template (access logs or honeypot events), and refreshes what it wrote on close so it
 * is searchable when the command returns.
 */
export async function engineLogSinkFromConfig(config: SluiceConfig, dataset: 'access' | 'honeypot', io: CommandIO, ops: DaemonOps): Promise<LogSink> {
  const { engineClientFromConfig } = await import('./engine-client-from-config.js');
  const { detectEngine } = await import('../../sinks/elasticsearch/http/index.js');
  const { EngineLogSink } = await import('../../sinks/elasticsearch/engine-log-sink.js');
  const es = config.elasticsearch;
  const client = engineClientFromConfig(es, io);
  try {
    const info = await detectEngine(client);
    io.stderr.write(`Connected to ${info.distribution} ${info.version.text} at ${client.nodes.join(', ')}.\n`);
    if (dataset === 'honeypot') {
      const { installHoneypotTemplate } = await import('../../sinks/elasticsearch/honeypot-template.js');
      await installHoneypotTemplate(client, { prefix: config.honeypot.index_prefix });
    } else {
      const { ecsIndexTemplate, putIndexTemplate } = await import('../../sinks/elasticsearch/ecs-template.js');
      const pattern = config.access_log.index_pattern;
      await putIndexTemplate(
        client,
        ecsIndexTemplate({ name: templatePattern(pattern).replace(/[-.*]+$/, ''), indexPatterns: [templatePattern(pattern)], fields: ACCESS_LOG_MAPPED_FIELDS, description: 'sluice web access logs as ECS' }),
      );
    }
  } catch (err) {
    await client.close();
    throw err;
  }
  ops.addReadiness(engineReadiness(client));
  const unregisterConnections = ops.legacy.registerConnections(() => client.openConnections);
  const m = ops.metrics;
  const sink = new EngineLogSink({
    client,
    dataDir: config.data_dir,
    sinkName: `elasticsearch-${dataset}`,
    flushBytes: es.flush_bytes,
    flushIntervalMs: es.flush_interval_ms,
    concurrency: es.concurrency_count,
    observer: m.sinkObserver(m.component({ kind: 'sink', type: 'elasticsearch', id: 'elasticsearch' })),
  });
  return {
    description: sink.description,
    write: (docs) => sink.write(docs),
    close: async () => {
      await sink.close();
      // What was delivered is searchable when the command returns, not at the next scheduled refresh.
      const target = dataset === 'honeypot' ? `${config.honeypot.index_prefix}-*` : templatePattern(config.access_log.index_pattern);
      await client.request({ method: 'POST', path: `/${encodeURIComponent(target)}/_refresh`, query: { ignore_unavailable: true } }).catch(() => undefined);
      unregisterConnections();
      await client.close();
    },
  };
}
