// Polls instead of sleeping: the machine is shared and slow at times.
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  description: string,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Records every list a registry listener receives. */
export class EndpointRecorder {
  readonly lists: string[][] = [];
  readonly listener = (endpoints: readonly { address: string }[]): void => {
    this.lists.push(endpoints.map((endpoint) => endpoint.address));
  };

  get latest(): string[] | undefined {
    return this.lists.at(-1);
  }

  /** Resolves when the latest list is exactly `addresses` (order-insensitive). */
  async until(addresses: readonly string[], timeoutMs?: number): Promise<void> {
    const wanted = [...addresses].sort().join(',');
    await waitFor(() => this.latest !== undefined && [...this.latest].sort().join(',') === wanted, `endpoints [${wanted}], last saw ${JSON.stringify(this.latest)}`, timeoutMs);
  }
}
