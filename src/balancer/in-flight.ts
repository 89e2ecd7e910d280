/** Calls currently running per address; shared helper of the load-aware balancers. */
export class InFlightCounter {
  private readonly counts = new Map<string, number>();

  get(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  increment(address: string): void {
    this.counts.set(address, this.get(address) + 1);
  }

  /** False when `address` had no call running (it was forgotten meanwhile). */
  decrement(address: string): boolean {
    const current = this.counts.get(address);
    if (current === undefined) return false;
    if (current <= 1) this.counts.delete(address);
    else this.counts.set(address, current - 1);
    return true;
  }

  forget(address: string): void {
    this.counts.delete(address);
  }
}

/** Two distinct random indexes below `length` (length ≥ 2). */
export function twoRandomIndexes(length: number, random: () => number): [number, number] {
  const first = Math.floor(random() * length);
  let second = Math.floor(random() * (length - 1));
  if (second >= first) second++;
  return [first, second];
}
