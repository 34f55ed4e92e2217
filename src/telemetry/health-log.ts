/**
 * The periodic health line of a long-running command: memory, CPU since the previous line,
 * event-loop delay, what the sinks hold, files in flight and free disk. One line a minute by default,
 * so a journal or a log shipper shows how the daemon was doing before something went wrong, even
 * without Prometheus.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/** Default interval of the health line, seconds. */
export const HEALTH_LOG_INTERVAL_SECS = 60;

/** Sampling interval of the event-loop monitor, ms. */
const LOOP_RESOLUTION_MS = 10;

/** One health line's fields (units in the names). */
export interface HealthSnapshot {
  readonly rss_bytes: number;
  readonly heap_used_bytes: number;
  readonly heap_total_bytes: number;
  /** CPU time (user + system, every thread) over wall time since the previous snapshot, in % of one core. */
  readonly cpu_percent: number;
  /** Event-loop delay since the previous snapshot, ms. */
  readonly event_loop_delay_p50_ms: number;
  readonly event_loop_delay_p99_ms: number;
  readonly event_loop_delay_max_ms: number;
  /** Events waiting in sinks, requests in flight, events not yet acknowledged (checkpoint lag). */
  readonly sink_queued_events: number;
  readonly sink_in_flight_requests: number;
  readonly checkpoint_lag_events: number;
  readonly files_in_flight: number;
  /** Free bytes per configured directory. */
  readonly disk_free_bytes: Readonly<Record<string, number>>;
}

/** Takes health snapshots; each one covers the time since the previous. */
export class HealthSampler {
  readonly #metrics: Metrics | undefined;
  readonly #loop: IntervalHistogram;
  #cpu = process.cpuUsage();
  #at = process.hrtime.bigint();

  constructor(metrics?: Metrics) {
    this.#metrics = metrics;
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loop.enable();
  }

  /** The numbers since the previous call (or since construction). */
  async sample(): Promise<HealthSnapshot> {
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(this.#cpu);
    const wallMicros = Number(now - this.#at) / 1000;
    this.#cpu = process.cpuUsage();
    this.#at = now;
    const mem = process.memoryUsage();
    const loop = this.#loop;
    // Node records the whole time between two timer ticks (an idle loop reads the resolution):
    // the delay is what exceeds it.
    const ms = (ns: number) => round(Number.isFinite(ns) ? Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) : 0, 2);
    const delay = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) };
    loop.reset();
    const queues = this.#metrics?.sinkQueues() ?? { queuedItems: 0, inFlightRequests: 0, unacknowledgedItems: 0 };
    return {
      rss_bytes: mem.rss,
      heap_used_bytes: mem.heapUsed,
      heap_total_bytes: mem.heapTotal,
      cpu_percent: wallMicros > 0 ? round(((cpu.user + cpu.system) / wallMicros) * 100, 1) : 0,
      event_loop_delay_p50_ms: delay.p50,
      event_loop_delay_p99_ms: delay.p99,
      event_loop_delay_max_ms: delay.max,
      sink_queued_events: queues.queuedItems,
      sink_in_flight_requests: queues.inFlightRequests,
      checkpoint_lag_events: queues.unacknowledgedItems,
      files_in_flight: (await this.#metrics?.filesInFlightNow()) ?? 0,
      disk_free_bytes: (await this.#metrics?.diskFree()) ?? {},
    };
  }

  /** Stops the event-loop monitor. */
  close(): void {
    this.#loop.disable();
  }
}

/** Options of {@link startHealthLog}. */
export interface HealthLogOptions {
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Seconds between two lines; 0 turns the line off. Default {@link HEALTH_LOG_INTERVAL_SECS}. */
  readonly intervalSecs?: number;
}

/** A running health line; {@link HealthLog.stop} at shutdown. */
export interface HealthLog {
  /** Writes a line now (also what the timer does). */
  logNow(): Promise<HealthSnapshot>;
  stop(): void;
}

/** The sentence of a health line. */
export function healthMessage(s: HealthSnapshot): string {
  const mb = (b: number) => `${Math.round(b / (1024 * 1024))} MB`;
  const disks = Object.values(s.disk_free_bytes);
  const disk = disks.length === 0 ? '' : `, ${mb(Math.min(...disks))} free on disk`;
  return (
    `Health: ${mb(s.rss_bytes)} resident (${mb(s.heap_used_bytes)} heap), ${s.cpu_percent}% CPU, event loop delay p99 ${s.event_loop_delay_p99_ms} ms, ` +
    `${s.sink_queued_events} event(s) queued, ${s.checkpoint_lag_events} awaiting acknowledgement, ${s.files_in_flight} file(s) in flight${disk}.`
  );
}

/** Logs a health line every `intervalSecs` (the timer does not keep the process alive). */
export function startHealthLog(options: HealthLogOptions): HealthLog {
  const sampler = new HealthSampler(options.metrics);
  const interval = options.intervalSecs ?? HEALTH_LOG_INTERVAL_SECS;
  const logNow = async () => {
    const s = await sampler.sample();
    options.logger.info({ health: s }, healthMessage(s));
    return s;
  };
  const timer = interval > 0 ? setInterval(() => void logNow().catch(() => undefined), interval * 1000) : undefined;
  timer?.unref();
  return {
    logNow,
    stop() {
      if (timer) clearInterval(timer);
      sampler.close();
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
