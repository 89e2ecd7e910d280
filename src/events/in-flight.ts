/** At most `limit` handlers at once, and a way to wait for the running ones on stop. */
export class InFlight {
  readonly #running = new Set<Promise<void>>();
  constructor(private readonly limit: number) {}

  /** Resolves once there is room for one more. */
  async acquire(): Promise<void> {
    while (this.#running.size >= this.limit) await Promise.race(this.#running);
  }

  run(task: Promise<void>): void {
    const tracked = task.finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  get size(): number {
    return this.#running.size;
  }

  async drained(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
