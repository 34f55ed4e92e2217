/**
 * sluice's internal metrics: one prom-client {@link Registry} per process (never prom-client's
 * global one, so tests and embedders get their own), served by `GET /metrics`.
 *
 * Naming follows Vector's internal metrics: every component reports the same counters
 * (`component_received_events_total`, `…_sent_events_total`, `…_dropped_events_total{reason}`,
 * `…_errors_total{error_code}`, plus bytes), labelled `component_kind` / `component_type` /
 * `component_id`. Sources and sinks count per batch or per file, never per event, and queue depths
 * are read on scrape from the components (no per-event gauge updates). Every label value is from a
 * bounded set (see `labels.ts`).
 */
import { statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCode } from '../errors.js';
import type { BatchDriverObserver, BatchDriverQueueState } from '../sinks/util/batch-driver.js';
import {
  CAPTURE_DROP_WHERE,
  COMPONENT_KINDS,
  DROP_REASONS,
  FILE_OUTCOMES,
  checkComponentId,
  checkEnum,
  checkInterfaceName,
  isErrorCode,
  type CaptureDropWhere,
  type ComponentKind,
  type DropReason,
  type FileOutcomeLabel,
} from './labels.js';

/** Identity of a component: kind, type (`watch`, `pcap`, `elasticsearch`, `local`…) and id (from the configuration). */
export interface ComponentKey {
  readonly kind: ComponentKind;
  readonly type: string;
  readonly id: string;
}

/** Options of {@link Metrics}. */
export interface MetricsOptions {
  /** Collect prom-client's process and Node.js metrics (CPU, memory, event loop, GC) as `sluice_*`. Default true. */
  readonly defaultMetrics?: boolean;
  /** The value of `sluice_build_info{version}`. */
  readonly version?: string;
}

/** Buckets of the sink request histogram, seconds: a fast bulk on loopback to a stalled cluster. */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** At most this many components, sinks, disk paths or capture interfaces: a guard against a label leak. */
export const MAX_SERIES_KEYS = 256;

/** The counters of one component, bound to its labels. Count per batch or per file, not per event. */
export class ComponentMetrics {
  readonly #metrics: Metrics;
  readonly #receivedEvents: Counter.Internal;
  readonly #receivedBytes: Counter.Internal;
  readonly #sentEvents: Counter.Internal;
  readonly #sentBytes: Counter.Internal;
  readonly #dropped = new Map<DropReason, Counter.Internal>();
  readonly #errors = new Map<ErrorCode, Counter.Internal>();

  /** @internal Use {@link Metrics.component}. */
  constructor(metrics: Metrics, readonly key: ComponentKey, counters: MetricsCounters) {
    this.#metrics = metrics;
    const labels = { component_kind: key.kind, component_type: key.type, component_id: key.id };
    this.#receivedEvents = counters.receivedEvents.labels(labels);
    this.#receivedBytes = counters.receivedBytes.labels(labels);
    this.#sentEvents = counters.sentEvents.labels(labels);
    this.#sentBytes = counters.sentBytes.labels(labels);
    // Series that exist from the start read 0 rather than "absent" (rate() and alerts need that).
    counters.receivedEvents.inc(labels, 0);
    counters.receivedBytes.inc(labels, 0);
    counters.sentEvents.inc(labels, 0);
    counters.sentBytes.inc(labels, 0);
    for (const reason of DROP_REASONS) {
      const child = counters.droppedEvents.labels({ ...labels, reason });
      counters.droppedEvents.inc({ ...labels, reason }, 0);
      this.#dropped.set(reason, child);
    }
  }

  /** `events` events (and `bytes` bytes of input) came in. */
  received(events: number, bytes = 0): void {
    if (events > 0) this.#receivedEvents.inc(events);
    if (bytes > 0) this.#receivedBytes.inc(bytes);
  }

  /** `events` events (`bytes` encoded bytes) were delivered downstream (for a sink: acknowledged). */
  sent(events: number, bytes = 0): void {
    if (events > 0) this.#sentEvents.inc(events);
    if (bytes > 0) this.#sentBytes.inc(bytes);
  }

  /** `events` events are lost for `reason`. Never for events that may still be retried. */
  dropped(reason: DropReason, events: number): void {
    const child = this.#dropped.get(reason);
    if (child === undefined) checkEnum(reason, DROP_REASONS, 'reason');
    if (events > 0) child!.inc(events);
  }

  /** An error with a sluice code happened (`count` times). */
  error(code: ErrorCode, count = 1): void {
    let child = this.#errors.get(code);
    if (child === undefined) {
      if (!isErrorCode(code)) throw new TypeError(`metric label error_code=${JSON.stringify(code)} is not a code of src/errors.ts`);
      child = this.#metrics.errorCounter.labels({ component_kind: this.key.kind, component_type: this.key.type, component_id: this.key.id, error_code: code });
      this.#errors.set(code, child);
    }
    child.inc(count);
  }
}

/** @internal The component counters, shared by every {@link ComponentMetrics}. */
interface MetricsCounters {
  readonly receivedEvents: Counter;
  readonly receivedBytes: Counter;
  readonly sentEvents: Counter;
  readonly sentBytes: Counter;
  readonly droppedEvents: Counter;
}

const COMPONENT_LABELS = ['component_kind', 'component_type', 'component_id'] as const;

/** A circuit breaker's state (src/sinks/util/circuit-breaker.ts). */
export type BreakerStateLabel = 'closed' | 'half-open' | 'open';

/** The values of `sluice_circuit_breaker_state`. */
export const BREAKER_STATE_VALUES: Readonly<Record<BreakerStateLabel, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** The registry and every metric sluice exports. Create one per process. */
export class Metrics {
  /** The prom-client registry (`GET /metrics` serializes it). */
  readonly registry = new Registry();
  /** @internal */
  readonly errorCounter: Counter;
  readonly #counters: MetricsCounters;
  readonly #components = new Map<string, ComponentMetrics>();
  readonly #requestDuration: Histogram;
  readonly #files: Counter;
  readonly #filesInFlight: Gauge;
  readonly #intakePaused: Gauge;
  readonly #captureDropped: Counter;
  readonly #captureTotals = new Map<string, number>();
  readonly #drivers = new Map<string, Set<() => BatchDriverQueueState>>();
  readonly #backlogs = new Map<string, { key: ComponentKey; read: () => { events?: number; bytes?: number } }>();
  readonly #diskPaths = new Set<string>();
  readonly #breakers = new Map<string, Set<() => BreakerStateLabel>>();

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'sluice_' });
    new Gauge({ name: 'sluice_build_info', help: 'Always 1; the labels say which sluice is running.', labelNames: ['version'], registers }).set({ version: options.version ?? 'unknown' }, 1);

    const counter = (name: string, help: string, extra: string[] = []) => new Counter({ name, help, labelNames: [...COMPONENT_LABELS, ...extra], registers });
    this.#counters = {
      receivedEvents: counter('sluice_component_received_events_total', 'Events a component took in (packets read, log lines read).'),
      receivedBytes: counter('sluice_component_received_bytes_total', 'Bytes of input a component read (file bytes for captures).'),
      sentEvents: counter('sluice_component_sent_events_total', 'Events a component delivered; for a sink, events the destination acknowledged (created, or already there).'),
      sentBytes: counter('sluice_component_sent_bytes_total', 'Encoded bytes of the events a sink delivered.'),
      droppedEvents: counter('sluice_component_dropped_events_total', 'Events lost for good, by reason (rejected ones are in the dead-letter file).', ['reason']),
    };
    this.errorCounter = counter('sluice_component_errors_total', 'Errors by sluice error code (see docs/reference/errors.md).', ['error_code']);

    this.#requestDuration = new Histogram({
      name: 'sluice_sink_request_duration_seconds',
      help: 'Duration of sink requests (a bulk request to the engine), by outcome: success (every item final), partial (some items resent or refused), error (no usable answer).',
      labelNames: ['sink', 'outcome'],
      buckets: REQUEST_DURATION_BUCKETS,
      registers,
    });
    const drivers = this.#drivers;
    const sinkGauge = (name: string, help: string, read: (s: BatchDriverQueueState) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['sink'],
        registers,
        collect() {
          this.reset();
          for (const [sink, states] of drivers) {
            let total = 0;
            for (const state of states) total += read(state());
            this.set({ sink }, total);
          }
        },
      });
    sinkGauge('sluice_sink_queue_depth', 'Events waiting in a sink to be sent (open batch, waiting for a request slot, waiting to be resent).', (s) => s.queuedItems);
    sinkGauge('sluice_sink_in_flight', 'Sink requests waiting for an answer.', (s) => s.inFlightRequests);
    sinkGauge('sluice_sink_pending_bytes', 'Bytes buffered or in flight in a sink (backpressure holds the source above the limit).', (s) => s.pendingBytes);
    sinkGauge('sluice_checkpoint_lag_events', 'Events read but not yet acknowledged by the sink: how far the checkpoint trails the source.', (s) => s.unacknowledgedItems);

    this.#files = new Counter({ name: 'sluice_files_total', help: 'Files a file source finished, by outcome.', labelNames: ['outcome'], registers });
    for (const outcome of FILE_OUTCOMES) this.#files.inc({ outcome }, 0);
    this.#filesInFlight = new Gauge({ name: 'sluice_files_in_flight', help: 'Files being ingested now.', registers });
    this.#intakePaused = new Gauge({ name: 'sluice_intake_paused', help: '1 while a source holds intake back (the free-disk guard), else 0.', labelNames: ['component_id'], registers });

    this.#captureDropped = new Counter({
      name: 'sluice_capture_dropped_packets_total',
      help: 'Packets lost by live capture before sluice saw them: kernel (capture buffer full), interface (NIC/driver), sluice (our queue).',
      labelNames: ['interface', 'where'],
      registers,
    });

    const backlogs = this.#backlogs;
    const backlogGauge = (name: string, help: string, field: 'events' | 'bytes') =>
      new Gauge({
        name,
        help,
        labelNames: [...COMPONENT_LABELS],
        registers,
        collect() {
          this.reset();
          for (const { key, read } of backlogs.values()) {
            const value = read()[field];
            if (value !== undefined) this.set({ component_kind: key.kind, component_type: key.type, component_id: key.id }, value);
          }
        },
      });
    backlogGauge('sluice_component_backlog_events', 'Events a source knows are waiting to be read (live capture queue, …).', 'events');
    backlogGauge('sluice_component_backlog_bytes', 'Bytes a source knows are waiting to be read (a tailed file beyond the read position, …).', 'bytes');

    const breakers = this.#breakers;
    new Gauge({
      name: 'sluice_circuit_breaker_state',
      help: 'Circuit breaker in front of a dependency (Kafka producer, Kafka consumer): 0 closed, 1 half-open (one probe request), 2 open (requests wait instead of hammering it).',
      labelNames: ['component'],
      registers,
      collect() {
        this.reset();
        for (const [component, reads] of breakers) {
          let worst = 0;
          for (const read of reads) worst = Math.max(worst, BREAKER_STATE_VALUES[read()]);
          this.set({ component }, worst);
        }
      },
    });

    const diskPaths = this.#diskPaths;
    new Gauge({
      name: 'sluice_disk_free_bytes',
      help: 'Free bytes (for unprivileged users) on the file system of each configured directory, read on scrape.',
      labelNames: ['path'],
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          [...diskPaths].map(async (path) => {
            try {
              this.set({ path }, await diskFreeBytes(path));
            } catch {
              // A directory that does not exist (yet) has no series rather than a wrong value.
            }
          }),
        );
      },
    });
  }

  /** The `Content-Type` of {@link Metrics.expose}'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text format. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * The counters of a component (created on first use; the same object afterwards). `type` and `id`
   * must fit `COMPONENT_ID_PATTERN`; the id comes from the configuration, never from data.
   */
  component(key: ComponentKey): ComponentMetrics {
    const name = `${key.kind}\u0000${key.type}\u0000${key.id}`;
    let c = this.#components.get(name);
    if (c === undefined) {
      checkEnum(key.kind, COMPONENT_KINDS, 'component_kind');
      checkComponentId(key.type, 'component type');
      checkComponentId(key.id, 'component id');
      this.#guard(this.#components.size, 'components');
      c = new ComponentMetrics(this, { kind: key.kind, type: key.type, id: key.id }, this.#counters);
      this.#components.set(name, c);
    }
    return c;
  }

  /**
   * An observer for every {@link BatchDriver} of the sink `sink` (pass it as the driver's `observer`):
   * request durations by outcome, sent events/bytes (created or already there), dropped `rejected`
   * (dead letters), and queue depth / in-flight / checkpoint lag summed over the sink's live drivers.
   */
  sinkObserver(sink: ComponentMetrics): BatchDriverObserver {
    const id = sink.key.id;
    let states = this.#drivers.get(id);
    if (states === undefined) {
      this.#guard(this.#drivers.size, 'sinks');
      states = new Set();
      this.#drivers.set(id, states);
    }
    const live = states;
    const durations = {
      success: this.#requestDuration.labels({ sink: id, outcome: 'success' }),
      partial: this.#requestDuration.labels({ sink: id, outcome: 'partial' }),
      error: this.#requestDuration.labels({ sink: id, outcome: 'error' }),
    };
    // Each live driver's breaker is reported as sluice_circuit_breaker_state{component=<sink id>}.
    const breakers = new Map<() => BatchDriverQueueState, () => void>();
    return {
      attached: (state) => {
        live.add(state);
        breakers.set(state, this.registerBreaker(id, () => state().breaker));
      },
      detached: (state) => {
        live.delete(state);
        breakers.get(state)?.();
        breakers.delete(state);
      },
      requestFinished: (r) => durations[r.outcome].observe(r.durationSeconds),
      final: (outcome, items, bytes) => {
        if (outcome === 'dead') sink.dropped('rejected', items);
        else sink.sent(items, bytes);
      },
    };
  }

  /** Queue state summed over the live drivers of every sink (for the health log line). */
  sinkQueues(): { queuedItems: number; inFlightRequests: number; unacknowledgedItems: number; pendingBytes: number } {
    const out = { queuedItems: 0, inFlightRequests: 0, unacknowledgedItems: 0, pendingBytes: 0 };
    for (const states of this.#drivers.values()) {
      for (const read of states) {
        const s = read();
        out.queuedItems += s.queuedItems;
        out.inFlightRequests += s.inFlightRequests;
        out.unacknowledgedItems += s.unacknowledgedItems;
        out.pendingBytes += s.pendingBytes;
      }
    }
    return out;
  }

  /** A file source finished a file with `outcome`. */
  fileFinished(outcome: FileOutcomeLabel): void {
    this.#files.inc({ outcome: checkEnum(outcome, FILE_OUTCOMES, 'outcome') });
  }

  /** A file source started (+1) or finished (-1) a file. */
  filesInFlight(delta: 1 | -1): void {
    this.#filesInFlight.inc(delta);
  }

  /** Files being ingested now. */
  async filesInFlightNow(): Promise<number> {
    return (await this.#filesInFlight.get()).values[0]?.value ?? 0;
  }

  /** Whether the source `component` holds intake back (the disk guard). */
  intakePaused(component: ComponentMetrics, paused: boolean): void {
    this.#intakePaused.set({ component_id: component.key.id }, paused ? 1 : 0);
  }

  /**
   * Live capture's drop counters for `iface`, as cumulative totals since the capture started (what
   * libpcap and dumpcap report). Counted as the increase since the previous call; a total lower than
   * before (the capture restarted) counts from zero again.
   */
  captureDrops(iface: string, where: CaptureDropWhere, total: number): void {
    checkEnum(where, CAPTURE_DROP_WHERE, 'where');
    const key = `${iface}\u0000${where}`;
    const before = this.#captureTotals.get(key);
    if (before === undefined) {
      checkInterfaceName(iface);
      this.#guard(this.#captureTotals.size, 'capture interfaces');
      this.#captureDropped.inc({ interface: iface, where }, 0);
    }
    const increase = before === undefined || total < before ? total : total - before;
    this.#captureTotals.set(key, total);
    if (increase > 0) this.#captureDropped.inc({ interface: iface, where }, increase);
  }

  /** Reports `sluice_component_backlog_{events,bytes}` for `component` from `read`, called on scrape. */
  registerBacklog(component: ComponentMetrics, read: () => { events?: number; bytes?: number }): () => void {
    const name = `${component.key.kind}\u0000${component.key.type}\u0000${component.key.id}`;
    this.#backlogs.set(name, { key: component.key, read });
    return () => void this.#backlogs.delete(name);
  }

  /**
   * Reports `sluice_circuit_breaker_state{component}` from `read`, called on scrape (several breakers
   * of one component report the worst state). `component` is a fixed name such as `kafka_producer`,
   * checked like a component id. Returns the removal.
   */
  registerBreaker(component: string, read: () => BreakerStateLabel): () => void {
    let reads = this.#breakers.get(component);
    if (reads === undefined) {
      checkComponentId(component, 'circuit breaker component');
      this.#guard(this.#breakers.size, 'circuit breakers');
      reads = new Set();
      this.#breakers.set(component, reads);
    }
    const set = reads;
    set.add(read);
    return () => void set.delete(read);
  }

  /**
   * Reports `sluice_disk_free_bytes{path}` for a configured directory (the data directory, the watched
   * one), read with statfs on each scrape. The path is absolute; only directories from the
   * configuration belong here, never input files.
   */
  watchDiskFree(path: string): void {
    const abs = resolve(path);
    if (this.#diskPaths.has(abs)) return;
    this.#guard(this.#diskPaths.size, 'disk paths');
    this.#diskPaths.add(abs);
  }

  /** Free bytes of every directory given to {@link watchDiskFree} (unreadable ones left out). */
  async diskFree(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const path of this.#diskPaths) {
      try {
        out[path] = await diskFreeBytes(path);
      } catch {
        // left out, as in the gauge
      }
    }
    return out;
  }

  #guard(size: number, what: string): void {
    if (size >= MAX_SERIES_KEYS) throw new TypeError(`more than ${MAX_SERIES_KEYS} ${what} registered with the metrics: a label value is not bounded`);
  }
}

/** Free bytes available to unprivileged users on the file system of `path`. */
export async function diskFreeBytes(path: string): Promise<number> {
  const s = await statfs(path);
  return Number(s.bavail) * Number(s.bsize);
}
