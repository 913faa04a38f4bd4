/**
 * Group commit: work items that arrive while a batch is being written wait and then go together
 * as the next batch. Under light load a batch is one item and adds no delay (it starts on the next
 * turn of the event loop); under heavy load batches grow by themselves, so the cost per item
 * (round trips, commits, fsyncs) falls as the load rises.
 *
 * A batch passes two stages: `write` (its checks and the database write) and `finish` (answering
 * and announcing each item). One batch writes at a time; the moment the write stage is free the
 * next batch takes everything queued, so its write overlaps the previous batch's finish (the
 * database works while this process fans out). Finishes run in batch order and items reach both
 * stages in arrival order, so answers go out in arrival order too.
 *
 * `writers` > 1 lets that many batches be in their write stage at once, for writes that need no
 * order among themselves (an append-only log): an item that arrives while a write is running then
 * starts at once on a free writer instead of waiting that write out, which is most of its latency
 * under steady load; batches still grow once every writer is busy. Finishes stay in batch order.
 */
export class Batcher<T, W, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  /** Batches in their write stage. */
  private writing = 0;
  private scheduled = false;
  /** The last batch's finish: the next one runs after it. */
  private finishing: Promise<void> = Promise.resolve();

  /**
   * `finish` answers each item, in order, with its result or the Error it failed with; a stage
   * that throws fails every item of its batch.
   */
  constructor(
    private readonly write: (items: T[]) => Promise<W>,
    private readonly finish: (written: W, items: T[]) => Promise<Array<R | Error>>,
    private readonly maxBatch: number,
    private readonly writers = 1,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.writing >= this.writers || this.queue.length === 0) return;
    this.scheduled = true;
    // Not a microtask: every frame read off the sockets in this turn joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.next();
    });
  }

  private async next() {
    if (this.writing >= this.writers || this.queue.length === 0) return;
    this.writing++;
    const batch = this.queue.splice(0, this.maxBatch);
    const items = batch.map((b) => b.item);
    const fail = (err: unknown) => {
      for (const b of batch) b.reject(err);
    };
    let written: Promise<W>;
    try {
      written = this.write(items);
    } catch (err) {
      written = Promise.reject(err);
    }
    // Chained now, at the batch's start: answered after the batches before it, a failed write too.
    this.finishing = this.finishing
      .then(() => written)
      .then((w) => this.finish(w, items))
      .then((results) => {
        batch.forEach((b, i) => {
          const r = results[i];
          if (r instanceof Error) b.reject(r);
          else b.resolve(r as R);
        });
      }, fail);
    try {
      await written;
    } catch {
      // answered by the chain above
    }
    this.writing--;
    // What queued up during this write goes next, now: its write overlaps this batch's finish.
    void this.next();
  }
}
