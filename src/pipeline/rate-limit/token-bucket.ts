/**
 * A token bucket: `ratePerSec` tokens flow in per second, at most `burst` are kept. One event costs
 * one token. Two ways to spend them, one per rate-limit mode:
 *
 * - {@link TokenBucket.takeUpTo} (`drop`): takes what is there, whole tokens only, never more;
 * - {@link TokenBucket.reserve} (`delay`): takes all it asks for at once, running into debt, and
 *   says how long the caller must wait before using them (the debt is paid back at the rate). This
 *   is Guava's `RateLimiter` reservation: a batch larger than the burst is allowed, but whoever
 *   comes next waits for the debt too, so over any span `t` at most `burst + rate·t` events pass.
 *
 * Pure arithmetic over a clock given by the caller (ms), so tests drive it with a fake clock and the
 * same code runs inside the Redis script (redis-bucket-store.ts) with the server's clock.
 */

/** See the module comment. */
export class TokenBucket {
  /** Tokens now (negative while in debt). */
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    nowMs: number,
  ) {
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new RangeError(`token bucket rate must be a positive number, got ${ratePerSec}`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`token bucket burst must be at least 1, got ${burst}`);
    this.tokens = burst; // a new bucket starts full: a source that was quiet may send its burst at once
    this.last = nowMs;
  }

  /** Tokens available at `nowMs` (fractional; negative while in debt). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** `drop` mode: takes up to `n` whole tokens, as many as there are; returns how many. */
  takeUpTo(n: number, nowMs: number): number {
    this.refill(nowMs);
    const granted = Math.max(0, Math.min(n, Math.floor(this.tokens + 1e-9)));
    this.tokens -= granted;
    return granted;
  }

  /**
   * `delay` mode: takes `n` tokens now (into debt when there are fewer) and returns the ms to wait
   * before using them: 0 when they were there.
   */
  reserve(n: number, nowMs: number): number {
    this.refill(nowMs);
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.ratePerSec);
  }

  /** ms from the last use until the bucket is full again: an idle bucket older than this can be forgotten. */
  idleMsUntilFull(nowMs: number): number {
    this.refill(nowMs);
    return Math.max(0, ((this.burst - this.tokens) * 1000) / this.ratePerSec);
  }

  private refill(nowMs: number): void {
    // A clock that went backwards (NTP step) adds nothing rather than removing tokens.
    const elapsed = nowMs - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSec) / 1000);
      this.last = nowMs;
    }
  }
}
