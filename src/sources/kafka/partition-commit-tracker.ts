/**
 * Which offset of each partition may be committed: the one after the highest offset below which
 * every record this consumer took in was delivered. Batches finish out of order (several are in
 * flight), so a partition's batches wait in arrival order and the commit point moves only past a
 * run of finished ones. A rebalance (new group generation) or a rewind (the stream went back to the
 * committed offset after a broker restart) starts a new run; batches of an old run still in flight
 * hold back the commits of the new run until they are done, and never commit themselves — so a
 * commit never passes a record that is not in the sink, whatever the order of events.
 */

/** One partition's share of a batch. */
export interface TrackedRange {
  readonly run: PartitionRun;
  readonly lastOffset: bigint;
  done: boolean;
}

/** The records of one partition taken in during one group generation, in order. */
export interface PartitionRun {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly generation: number;
  /** Highest offset taken in. */
  last: bigint;
  /** Ranges not yet passed by the commit point, in offset order. */
  readonly queue: TrackedRange[];
  /** Ranges not done (this run). */
  pending: number;
  /** A commit point held back while an older run of the partition is still delivering. */
  held?: CommitPoint;
}

/** A commit to send. */
export interface CommitPoint {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read (Kafka's convention: last delivered + 1). */
  readonly offset: bigint;
}

/** See the module comment. */
export class PartitionCommitTracker {
  private readonly runs = new Map<string, PartitionRun>();
  /** Old runs with ranges still in flight, per partition key. */
  private readonly retired = new Map<string, Set<PartitionRun>>();
  /** Commit points computed but not yet taken by {@link takeCommits}. */
  private readonly ready = new Map<string, CommitPoint>();

  /**
   * Records that offsets up to `lastOffset` of a partition (from `firstOffset`) joined a batch under
   * `generation`; returns the range to mark done when the batch is delivered.
   */
  track(topic: string, partition: number, generation: number, firstOffset: bigint, lastOffset: bigint): TrackedRange {
    const key = `${topic}:${partition}`;
    let run = this.runs.get(key);
    if (run === undefined || run.generation !== generation || firstOffset <= run.last) {
      if (run !== undefined) this.retire(run);
      run = { key, topic, partition, generation, last: -1n, queue: [], pending: 0 };
      this.runs.set(key, run);
      this.ready.delete(key);
    }
    run.last = lastOffset;
    run.pending++;
    const range: TrackedRange = { run, lastOffset, done: false };
    run.queue.push(range);
    return range;
  }

  /** Marks a range delivered and moves its run's commit point (when the run is still current). */
  done(range: TrackedRange): void {
    if (range.done) return;
    range.done = true;
    const run = range.run;
    run.pending--;
    if (this.runs.get(run.key) !== run) {
      const old = this.retired.get(run.key);
      if (run.pending === 0 && old !== undefined) {
        old.delete(run);
        if (old.size === 0) this.retired.delete(run.key);
        // The current run may have been held back by this one.
        const cur = this.runs.get(run.key);
        if (cur !== undefined) this.advance(cur);
      }
      return;
    }
    this.advance(run);
  }

  /** Forgets every run (the consumer left the group or its stream restarts from committed offsets). */
  reset(): void {
    for (const run of this.runs.values()) this.retire(run);
    this.runs.clear();
    this.ready.clear();
  }

  /**
   * The commit points that moved since the last call, for runs of `generation` (commits of another
   * generation would be refused by the coordinator, or worse, accepted for a partition now read by
   * another member).
   */
  takeCommits(generation: number): CommitPoint[] {
    const out: CommitPoint[] = [];
    for (const [key, point] of this.ready) {
      const run = this.runs.get(key);
      if (run !== undefined && run.generation === generation) out.push(point);
    }
    this.ready.clear();
    return out;
  }

  /** Ranges not yet delivered (all runs). */
  get inFlight(): number {
    let n = 0;
    for (const r of this.runs.values()) n += r.pending;
    for (const s of this.retired.values()) for (const r of s) n += r.pending;
    return n;
  }

  private retire(run: PartitionRun): void {
    if (run.pending === 0) return;
    let set = this.retired.get(run.key);
    if (set === undefined) this.retired.set(run.key, (set = new Set()));
    set.add(run);
  }

  private advance(run: PartitionRun): void {
    let passed: TrackedRange | undefined;
    while (run.queue.length > 0 && run.queue[0]!.done) passed = run.queue.shift();
    if (passed !== undefined) {
      this.ready.set(run.key, { topic: run.topic, partition: run.partition, offset: passed.lastOffset + 1n });
    }
    // Held back while an older run of the partition is still delivering (its records precede ours).
    if (this.retired.has(run.key)) {
      const point = this.ready.get(run.key);
      if (point !== undefined) {
        this.ready.delete(run.key);
        run.held = point;
      }
    } else {
      const held = run.held;
      if (held !== undefined && !this.ready.has(run.key)) this.ready.set(run.key, held);
      delete run.held;
    }
  }
}
