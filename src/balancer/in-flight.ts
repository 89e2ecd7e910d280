/** Calls currently running per address; shared helper of the load-aware balancers. */
export class InFlightCounter {
  private readonly counts = new Map<string, number>();
  /** Calls still running on a forgotten address: when it comes back, their ends must not count in its new life. */
  private readonly departed = new Map<string, number>();

  get(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  increment(address: string): void {
    this.counts.set(address, this.get(address) + 1);
  }

  /** False when the call belonged to a forgotten life of `address` (it left discovery meanwhile). */
  decrement(address: string): boolean {
    const late = this.departed.get(address);
    if (late !== undefined) {
      if (late <= 1) this.departed.delete(address);
      else this.departed.set(address, late - 1);
      return false;
    }
    const current = this.counts.get(address);
    if (current === undefined) return false;
    if (current <= 1) this.counts.delete(address);
    else this.counts.set(address, current - 1);
    return true;
  }

  forget(address: string): void {
    const running = this.counts.get(address);
    if (running === undefined) return;
    this.counts.delete(address);
    this.departed.set(address, (this.departed.get(address) ?? 0) + running);
  }
}

/** Two distinct random indexes below `length` (length ≥ 2). */
export function twoRandomIndexes(length: number, random: () => number): [number, number] {
  const first = Math.floor(random() * length);
  let second = Math.floor(random() * (length - 1));
  if (second >= first) second++;
  return [first, second];
}
