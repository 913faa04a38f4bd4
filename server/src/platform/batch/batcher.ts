/**
 * Group commit: work items that arrive while a batch is running wait and then run together as
 * the next batch. Under light load a batch is one item and adds no delay (it starts on the next
 * turn of the event loop); under heavy load batches grow by themselves, so the cost per item
 * (round trips, commits, fsyncs) falls as the load rises.
 *
 * A batch runs in two stages, `prepare` then `commit`, each stage one batch at a time, so the
 * next batch prepares (say, its reads and checks) while the previous one commits. Batches enter
 * `commit` in arrival order, and items reach both stages in arrival order.
 */
export class Batcher<T, P, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  /** A batch is in `prepare`, or prepared and waiting for the previous commit. */
  private preparing = false;
  private scheduled = false;
  /** The last batch's commit: the next one starts after it. */
  private tail: Promise<void> = Promise.resolve();

  /**
   * `commit` answers each item, in order, with its result or the Error it failed with; a stage
   * that throws fails every item of its batch.
   */
  constructor(
    private readonly prepare: (items: T[]) => Promise<P>,
    private readonly commit: (prepared: P, items: T[]) => Promise<Array<R | Error>>,
    private readonly maxBatch: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.preparing || this.queue.length === 0) return;
    this.scheduled = true;
    // Not a microtask: every frame read off the sockets in this turn joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.next();
    });
  }

  private async next() {
    if (this.preparing || this.queue.length === 0) return;
    this.preparing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    const items = batch.map((b) => b.item);
    const fail = (err: unknown) => {
      for (const b of batch) b.reject(err);
    };
    let prepared: P;
    try {
      prepared = await this.prepare(items);
    } catch (err) {
      fail(err);
      this.preparing = false;
      return this.schedule();
    }
    await this.tail;
    this.preparing = false;
    this.tail = this.commit(prepared, items).then((results) => {
      batch.forEach((b, i) => {
        const r = results[i];
        if (r instanceof Error) b.reject(r);
        else b.resolve(r as R);
      });
    }, fail);
    // The next batch prepares while this one commits.
    this.schedule();
  }
}
