import { InFlightCounter, twoRandomIndexes } from './in-flight.js';
import type { Balancer, BalancerEndpoint, PickContext } from './types.js';

/**
 * How fast old latency is forgotten. Kratos' 600 ms, not Finagle's 10 s: with
 * 10 s a new connection's handshake (tens of ms on the first call) keeps a
 * fast endpoint looking slow for many seconds.
 */
const DECAY_MS = 600;
/** An endpoint not picked for this long is picked once so its latency is measured again (go-zero's forcePick). */
const FORCE_PICK_MS = 1_000;
/** A failed call counts at least this slow, so a fast-failing endpoint does not attract traffic. */
const FAILURE_PENALTY_MS = 250;

interface LatencyState {
  /** Peak EWMA of latency in ms. */
  ewma: number;
  updatedAt: number;
  pickedAt: number;
}

/**
 * Power of two choices on cost = peak-EWMA latency × (in-flight + 1), as in
 * Finagle's PeakEwma, go-zero's and Kratos' p2c: a slow endpoint's cost jumps at once
 * (peak) and recovers slowly, so it gets little traffic while slow.
 */
export class P2cEwmaBalancer implements Balancer {
  readonly name = 'p2c_ewma';
  private readonly inFlight = new InFlightCounter();
  private readonly latency = new Map<string, LatencyState>();

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  pick<E extends BalancerEndpoint>(candidates: readonly E[], _context?: PickContext): E {
    if (candidates.length === 1) return this.picked(candidates[0]!);
    const [i, j] = twoRandomIndexes(candidates.length, this.random);
    let a = candidates[i]!;
    let b = candidates[j]!;
    if (this.cost(b.address) < this.cost(a.address)) [a, b] = [b, a];
    // `a` is the cheaper one; still give the other one a call now and then so a recovered endpoint is noticed.
    const other = this.latency.get(b.address);
    if (other !== undefined && this.now() - other.pickedAt > FORCE_PICK_MS) return this.picked(b);
    return this.picked(a);
  }

  onStart(address: string): void {
    this.inFlight.increment(address);
  }

  onEnd(address: string, latencyMs: number, ok: boolean): void {
    // A call that outlived its endpoint's departure must not bring the forgotten entry back.
    if (!this.inFlight.decrement(address)) return;
    const sample = ok ? latencyMs : Math.max(latencyMs, FAILURE_PENALTY_MS);
    const now = this.now();
    const state = this.latency.get(address);
    if (state === undefined) {
      this.latency.set(address, { ewma: sample, updatedAt: now, pickedAt: now });
      return;
    }
    state.ewma = this.updated(state, sample, now);
    state.updatedAt = now;
  }

  forget(address: string): void {
    this.inFlight.forget(address);
    this.latency.delete(address);
  }

  /** Number of endpoints with a latency entry (for tests: departed endpoints are pruned). */
  get tracked(): number {
    return this.latency.size;
  }

  /** Cost of sending one more call to `address`; unmeasured endpoints cost 0 so they get measured. */
  cost(address: string): number {
    const state = this.latency.get(address);
    // No decay on read (unlike Finagle): an idle slow endpoint is re-measured by the forced pick instead.
    const ewma = state === undefined ? 0 : state.ewma;
    return ewma * (this.inFlight.get(address) + 1);
  }

  private picked<E extends BalancerEndpoint>(endpoint: E): E {
    const state = this.latency.get(endpoint.address);
    if (state !== undefined) state.pickedAt = this.now();
    return endpoint;
  }

  private updated(state: LatencyState, sample: number, now: number): number {
    if (sample > state.ewma) return sample; // peak: react to a slowdown at once
    const weight = Math.exp(-Math.max(0, now - state.updatedAt) / DECAY_MS);
    return state.ewma * weight + sample * (1 - weight);
  }
}
