/** Calls currently running per address; shared helper of the load-aware balancers. */
export class InFlightCounter {
  private readonly counts = new Map<string, number>();

  get(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  increment(address: string): void {
    this.counts.set(address, this.get(address) + 1);
  }

  decrement(address: string): void {
    const next = this.get(address) - 1;
    if (next <= 0) this.counts.delete(address);
    else this.counts.set(address, next);
  }
}

/** Two distinct random indexes below `length` (length ≥ 2). */
export function twoRandomIndexes(length: number, random: () => number): [number, number] {
  const first = Math.floor(random() * length);
  let second = Math.floor(random() * (length - 1));
  if (second >= first) second++;
  return [first, second];
}
