import { waitUntil } from '../../helpers/wait.js';

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
  async until(addresses: readonly string[], timeoutMs = 15_000): Promise<void> {
    const wanted = [...addresses].sort().join(',');
    await waitUntil(() => this.latest !== undefined && [...this.latest].sort().join(',') === wanted, timeoutMs, () => `endpoints [${wanted}], last saw ${JSON.stringify(this.latest)}`);
  }
}
