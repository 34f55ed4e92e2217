/**
 * Full-jitter exponential backoff: sleep a random time between 0 and min(cap, base × 2^attempt).
 * Spreads retries of many writers so they do not hit a recovering cluster in waves
 * ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015; the Elastic transport does the same).
 */

/** Backoff settings (milliseconds). */
export interface BackoffOptions {
  /** First ceiling. Default 100 ms. */
  readonly initialMs?: number;
  /** Largest ceiling. Default 30 s. */
  readonly maxMs?: number;
}

/** The delay before retry number `attempt` (0-based). `random` is injectable for tests. */
export function fullJitterDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.initialMs ?? 100;
  const cap = options.maxMs ?? 30_000;
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms` milliseconds (or at once when aborted). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
