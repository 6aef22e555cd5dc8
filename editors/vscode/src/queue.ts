// SerialQueue runs asynchronous jobs one at a time, in the order asked.

/**
 * SerialQueue runs jobs one after another, so that starting, stopping and
 * restarting the server never overlap. A job asked for under the same name
 * as the last job queued, while that one has not begun, joins it instead of
 * queueing another: two quick clicks on Restart Server restart once more,
 * not twice, and never start two servers. A failed job does not stop the
 * ones after it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** The last job queued while it has not begun. */
  private waiting: { readonly name: string; readonly done: Promise<unknown> } | undefined;

  /** run queues job under name and resolves with its result. */
  run<T>(name: string, job: () => Promise<T>): Promise<T> {
    if (this.waiting?.name === name) return this.waiting.done as Promise<T>;
    const waiting = {
      name,
      done: this.tail.then(() => {
        if (this.waiting === waiting) this.waiting = undefined;
        return job();
      }),
    };
    this.waiting = waiting;
    this.tail = waiting.done.catch(() => undefined);
    return waiting.done;
  }
}
