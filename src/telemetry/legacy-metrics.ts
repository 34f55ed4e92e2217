/**
 * The original log pipeline's metric names, kept so its dashboards and alerts keep working:
 * `logs_processed_total`, `logs_failed_total`, `log_processing_seconds`, `kafka_consumer_lag`,
 * `elasticsearch_errors_total`, `active_connections`. All but the processing histogram are read at
 * scrape time from sluice's own metrics (one source of truth, nothing counted twice per event):
 *
 * - `logs_processed_total`: log lines and Kafka records taken in (`sluice_component_received_events_total`
 *   of the `tail` and `kafka` sources);
 * - `logs_failed_total`: lines that could not be parsed (kept as `pipeline_error` documents), plus
 *   documents refused for good (dead letters) or dropped;
 * - `log_processing_seconds`: time to turn a batch of lines into documents (parse + enrich), per batch;
 * - `kafka_consumer_lag`: the same values as `sluice_kafka_consumer_lag`;
 * - `elasticsearch_errors_total`: failed bulk requests plus refused documents of the engine sink;
 * - `active_connections`: open connections to the sinks (engine node pools, Kafka brokers), as
 *   registered by the commands.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Metrics } from './metrics.js';

const LOG_SOURCE_TYPES = new Set(['tail', 'kafka']);

/** Hooks for what cannot be read from sluice's own metrics. */
export interface LegacyLogMetrics {
  /** A batch of `lines` lines became documents in `seconds`; `failed` of them could not be parsed. */
  batchProcessed(seconds: number, failed: number): void;
  /** Adds a reader of open connections (summed into `active_connections`); returns its removal. */
  registerConnections(read: () => number): () => void;
}

async function sumOf(registry: Registry, name: string, filter: (labels: Record<string, string | number>) => boolean): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const data = await metric.get();
  let sum = 0;
  for (const v of data.values) if (filter(v.labels as Record<string, string | number>)) sum += v.value;
  return sum;
}

/** Registers the original names on `metrics`' registry (once per registry). */
export function registerLegacyLogMetrics(metrics: Metrics): LegacyLogMetrics {
  const registry = metrics.registry;
  const registers = [registry];
  let parseFailures = 0;
  const connections = new Set<() => number>();

  new Counter({
    name: 'logs_processed_total',
    help: 'Log lines and Kafka records taken in (sluice_component_received_events_total of the tail and kafka sources).',
    registers,
    async collect() {
      this.reset();
      this.inc(await sumOf(registry, 'sluice_component_received_events_total', (l) => LOG_SOURCE_TYPES.has(String(l.component_type))));
    },
  });
  new Counter({
    name: 'logs_failed_total',
    help: 'Log lines that could not be parsed (kept with error.message), plus documents refused for good or dropped.',
    registers,
    async collect() {
      this.reset();
      this.inc(parseFailures + (await sumOf(registry, 'sluice_component_dropped_events_total', () => true)));
    },
  });
  const processing = new Histogram({
    name: 'log_processing_seconds',
    help: 'Time to turn one batch of log lines into documents (parse and enrich).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  new Gauge({
    name: 'kafka_consumer_lag',
    help: 'Same as sluice_kafka_consumer_lag: records per partition not yet delivered and committed.',
    labelNames: ['topic', 'partition'],
    registers,
    async collect() {
      this.reset();
      const lag = registry.getSingleMetric('sluice_kafka_consumer_lag');
      if (lag === undefined) return;
      for (const v of (await lag.get()).values) this.set(v.labels as Record<string, string>, v.value);
    },
  });
  new Counter({
    name: 'elasticsearch_errors_total',
    help: 'Failed bulk requests to Elasticsearch/OpenSearch plus documents it refused for good.',
    registers,
    async collect() {
      this.reset();
      const refused = await sumOf(registry, 'sluice_component_dropped_events_total', (l) => l.component_type === 'elasticsearch');
      const histogram = registry.getSingleMetric('sluice_sink_request_duration_seconds');
      let failed = 0;
      if (histogram !== undefined) {
        for (const v of (await histogram.get()).values) {
          if ((v as { metricName?: string }).metricName === 'sluice_sink_request_duration_seconds_count' && v.labels.outcome === 'error') failed += v.value;
        }
      }
      this.inc(failed + refused);
    },
  });
  new Gauge({
    name: 'active_connections',
    help: 'Open connections to the sinks (engine nodes, Kafka brokers).',
    registers,
    collect() {
      let n = 0;
      for (const read of connections) {
        try {
          n += read();
        } catch {
          /* a closed client */
        }
      }
      this.set(n);
    },
  });

  return {
    batchProcessed(seconds, failed) {
      processing.observe(seconds);
      parseFailures += failed;
    },
    registerConnections(read) {
      connections.add(read);
      return () => void connections.delete(read);
    },
  };
}
