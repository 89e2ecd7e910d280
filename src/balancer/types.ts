/** What a balancer sees of an endpoint: its address and registry metadata. */
export interface BalancerEndpoint {
  /** "host:port" */
  readonly address: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface PickContext {
  /** ring_hash: calls with the same key go to the same endpoint. */
  readonly hashKey?: string;
}

/**
 * One load-balancing policy. `pick` chooses among candidates the pipeline may
 * use right now (breakers open and already-tried endpoints are filtered out
 * before); the feedback hooks let latency- and load-aware policies learn.
 */
export interface Balancer {
  readonly name: string;
  /** `candidates` is never empty. */
  pick<E extends BalancerEndpoint>(candidates: readonly E[], context: PickContext): E;
  /** A call to `address` started. */
  onStart?(address: string): void;
  /** A call to `address` ended after `latencyMs`; `ok` is false on failure. */
  onEnd?(address: string, latencyMs: number, ok: boolean): void;
  /** `address` left discovery: drop what is kept about it (calls still running there end with onEnd). */
  forget?(address: string): void;
}
