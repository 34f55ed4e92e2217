/**
 * Ordered acknowledgements: items are numbered as the source emits them and finish in any order
 * (concurrent requests, retries); the checkpoint may only move to the end of the longest prefix of
 * finished items, so that a crash never skips an item that was still in flight.
 */
export class AckTracker {
  private next = 0;
  private done = new Set<number>();
  /** Every item below this sequence number is final. */
  watermark = 0;

  /** Numbers the next item. */
  issue(): number {
    return this.next++;
  }

  /** Marks an item final; returns true when the watermark moved. */
  ack(seq: number): boolean {
    if (seq < this.watermark) return false;
    this.done.add(seq);
    const before = this.watermark;
    while (this.done.delete(this.watermark)) this.watermark++;
    return this.watermark !== before;
  }

  /** Items issued but not final. */
  get pending(): number {
    return this.next - this.watermark;
  }
}
