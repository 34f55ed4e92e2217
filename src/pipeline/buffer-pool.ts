/**
 * A small free list of large byte buffers that travel to a worker and come back.
 *
 * Why: every packed batch used to get two fresh buffers (4 MB for documents, 256 KB+ for packet
 * bytes) that the store worker freed after its transaction. glibc serves such sizes from its heap
 * once its mmap threshold has risen (it does after the first free of a large block), and buffers
 * allocated on one thread and freed on another leave that heap fragmented: the watch daemon's
 * resident memory grew by ~70 MB over a 1 GB stream with a flat JavaScript heap. Handing the same
 * few buffers back and forth allocates nothing in the steady state.
 */
export class BufferPool {
  readonly #free: ArrayBuffer[] = [];

  /** @param maxBuffers buffers kept at most; more given back are left to the garbage collector. */
  constructor(private readonly maxBuffers = 8) {}

  /**
   * A buffer of at least `minBytes`: the smallest kept one that is large enough (buffers of
   * different sizes share the pool, and a small request must not take the large one), else a new one.
   */
  take(minBytes: number): Buffer {
    const free = this.#free;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const n = free[i]!.byteLength;
      if (n >= minBytes && (best < 0 || n < free[best]!.byteLength)) best = i;
    }
    if (best < 0) return Buffer.allocUnsafeSlow(minBytes);
    return Buffer.from(free.splice(best, 1)[0]!);
  }

  /** Gives a buffer back (one that came back from a worker, or is otherwise unused now). */
  give(ab: ArrayBuffer): void {
    if (ab.byteLength === 0 || this.#free.length >= this.maxBuffers) return;
    this.#free.push(ab);
  }

  /** Buffers kept now. */
  get size(): number {
    return this.#free.length;
  }
}
