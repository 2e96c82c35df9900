import "server-only";

/*
 * Group commit: a durable commit costs an fsync (SQLite synchronous=FULL) or a
 * WAL flush (PostgreSQL) whether it carries one row or fifty, so concurrent
 * writers share one transaction instead of queueing for one each. The first
 * item waits at most `windowMs` for company; while a transaction is in flight,
 * new items gather and go together as soon as it finishes.
 */

export interface GroupCommitOptions<Item, Result> {
  /** How long the first item of an idle committer waits for others; 0 = until the current tick's items are in. */
  windowMs: number;
  /** Most items per transaction. */
  maxBatch: number;
  /** Transactions allowed in flight at once (default 1). More only helps where the database runs them in parallel. */
  maxInFlight?: number;
  /** Writes `items` in one transaction and returns one result per item, in order; throws when nothing was committed. */
  commit: (items: Item[]) => Promise<Result[]>;
  /** Told about a failed batch before its items are retried one by one. */
  onBatchFailed?: (error: unknown, size: number) => void;
}

/**
 * After a failed batch, items are retried one by one — but once this many
 * retries in a row have failed too, the failure is the database's, not an
 * item's, and the rest are failed at once instead of each waiting for its own
 * timeout. They were never acknowledged, so the sender retries them.
 */
export const MAX_CONSECUTIVE_RETRY_FAILURES = 3;

interface Pending<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitter<Item, Result> {
  private readonly options: GroupCommitOptions<Item, Result>;
  private queue: Pending<Item, Result>[] = [];
  private timer: { kind: "timeout"; handle: ReturnType<typeof setTimeout> } | { kind: "immediate"; handle: ReturnType<typeof setImmediate> } | null = null;
  private inFlight = 0;
  private readonly maxInFlight: number;

  constructor(options: GroupCommitOptions<Item, Result>) {
    this.options = { ...options, maxBatch: Math.max(1, Math.floor(options.maxBatch)) };
    this.maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? 1));
  }

  /** Resolves with the item's result once its transaction is committed; rejects when it could not be stored. */
  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.inFlight >= this.maxInFlight) return;
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else this.schedule();
    });
  }

  /** Items waiting for a transaction (not counting one in flight). */
  get pendingCount(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const run = () => {
      this.timer = null;
      this.flush();
    };
    this.timer = this.options.windowMs > 0 ? { kind: "timeout", handle: setTimeout(run, this.options.windowMs) } : { kind: "immediate", handle: setImmediate(run) };
  }

  private clearTimer(): void {
    if (this.timer?.kind === "timeout") clearTimeout(this.timer.handle);
    if (this.timer?.kind === "immediate") clearImmediate(this.timer.handle);
    this.timer = null;
  }

  private flush(): void {
    this.clearTimer();
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight += 1;
    void this.write(batch).finally(() => {
      this.inFlight -= 1;
      // Whatever arrived during the transaction has already waited for it: go at once.
      if (this.queue.length > 0) this.flush();
    });
  }

  private async write(batch: Pending<Item, Result>[]): Promise<void> {
    try {
      const results = await this.options.commit(batch.map((entry) => entry.item));
      if (results.length !== batch.length) throw new Error(`commit returned ${results.length} results for ${batch.length} items`);
      results.forEach((result, index) => batch[index]?.resolve(result));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      this.options.onBatchFailed?.(error, batch.length);
    }
    // One bad item must not fail its neighbours: each gets its own transaction.
    let consecutiveFailures = 0;
    let lastError: unknown;
    for (const entry of batch) {
      if (consecutiveFailures >= MAX_CONSECUTIVE_RETRY_FAILURES) {
        entry.reject(lastError);
        continue;
      }
      try {
        const [result] = await this.options.commit([entry.item]);
        if (result === undefined) throw new Error("commit returned no result");
        entry.resolve(result);
        consecutiveFailures = 0;
      } catch (error) {
        consecutiveFailures += 1;
        lastError = error;
        entry.reject(error);
      }
    }
  }
}
