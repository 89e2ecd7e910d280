/** At most `limit` handlers at once, and a way to wait for the running ones on stop. */
export class InFlight {
  readonly #running = new Set<Promise<void>>();
  /** Callers of acquire() waiting for a slot, first come first served. */
  readonly #waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  /**
   * Resolves once there is room for one more. A finishing task hands its slot to the first waiter, so
   * a full consumer costs one callback per event (racing every running task would attach `limit`
   * reactions per event, kept until each task settles).
   */
  async acquire(): Promise<void> {
    // Checked again after a wake-up: another caller may have taken the slot meanwhile.
    while (this.#running.size >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  run(task: Promise<void>): void {
    const tracked = task.finally(() => {
      this.#running.delete(tracked);
      this.#waiting.shift()?.();
    });
    this.#running.add(tracked);
  }

  get size(): number {
    return this.#running.size;
  }

  async drained(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
