/**
 * A circuit breaker for whole-request failures (connection refused, timeouts, 5xx on the whole
 * request): after `failureThreshold` failures in a row it opens, and requests wait instead of
 * hammering a cluster that is down; after `resetMs` one request goes through (half-open) as a
 * probe: success closes the breaker, failure opens it again.
 *
 * Small on purpose: the sink driver needs "wait until the engine may be back", not a library's
 * fail-fast semantics (opossum rejects calls while open, which would turn into busy retry loops).
 */
import { sleep } from './backoff.js';

/** Breaker settings. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  readonly failureThreshold?: number;
  /** How long it stays open before a probe. Default 5 s. */
  readonly resetMs?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** See the module comment. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  state: BreakerState = 'closed';
  /** Times the breaker opened (for metrics). */
  opened = 0;

  constructor(private readonly options: CircuitBreakerOptions = {}, private readonly now: () => number = Date.now) {}

  /** Waits until a request may be sent. Only one request passes while half-open. */
  async allow(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      if (this.state === 'closed') return;
      const reset = this.options.resetMs ?? 5_000;
      const wait = this.openedAt + reset - this.now();
      if (this.state === 'open' && wait <= 0) {
        this.state = 'half-open';
        this.probing = false;
      }
      if (this.state === 'half-open' && !this.probing) {
        this.probing = true;
        return;
      }
      await sleep(Math.max(50, Math.min(wait > 0 ? wait : reset / 10, 1_000)), signal);
    }
  }

  /** Records a successful request: closes the breaker. */
  success(): void {
    this.failures = 0;
    this.probing = false;
    this.state = 'closed';
  }

  /** Records a failed request: opens the breaker after the threshold (or at once when probing). */
  failure(): void {
    this.failures++;
    if (this.state === 'half-open' || this.failures >= (this.options.failureThreshold ?? 5)) {
      if (this.state !== 'open') this.opened++;
      this.state = 'open';
      this.openedAt = this.now();
      this.probing = false;
    }
  }
}
