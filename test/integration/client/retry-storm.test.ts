// test: runs alone (its bounds rest on the machine's capacity; see test/helpers/run-alone.ts)
// The retry storm of issue 15: three instances, one slowed down, clients with retries. Servers are real
// grpc-js peers with a fixed concurrency limit that shed per the overload contract (shedding-server.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient, setClientTraceHook } from '../../../src/client/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { waitUntil } from '../../helpers/wait.js';
import { startSheddingServer } from './shedding-server.js';

const CLIENTS = 2;
const WORKERS_PER_CLIENT = 12;
/** 24 callers for 3 × 3 slots: demand beyond capacity, so every instance sheds now and then. */
const SLOTS_PER_INSTANCE = 3;
const SLOW_MS = 150;
const FAST_MS = 2;
const SLOWDOWN_MS = 2_000;
/**
 * The slowdown lasts at least this many calls too: the budget's floor (below) must be small beside what the
 * storm asks for (about one retry per call), or a slow machine would never reach the ratio.
 */
const SLOWDOWN_CALLS = 700;
const SLOWDOWN_LIMIT_MS = 30_000;
const RECOVERY_LIMIT_MS = 10_000;
const MAX_CALLS = 40_000;
const BUDGET = 0.2;
/** Up to 4 retries per call: without the budget a storm would multiply the load up to 5 times. */
const MAX_ATTEMPTS = 5;
/** RetryBudget's floor: 10 retries/s over its 10 s window, per client. */
const FLOOR_PER_WINDOW = 100;

test('retry storm: total attempts stay within the retry budget, and the slowed instance gets its traffic back', async (t) => {
  // The pipeline's own account of every retry it made (local "all busy" refusals included) and every one the budget refused.
  const decisions = { retry: 0, budgetExhausted: 0 };
  setClientTraceHook({
    startCall: () => ({
      startAttempt: () => () => {},
      event: (name) => {
        if (name === 'retry') decisions.retry++;
        else if (name === 'budget_exhausted') decisions.budgetExhausted++;
      },
      end: () => {},
    }),
  });
  const instances = await Promise.all([0, 1, 2].map(() => startSheddingServer({ delayMs: FAST_MS, maxInFlight: SLOTS_PER_INSTANCE, overflowPushback: '50' })));
  const slowed = instances[0]!;
  slowed.delayMs = SLOW_MS;
  const clients = Array.from({ length: CLIENTS }, () =>
    createClient<EchoServiceClient>(echoDescriptor(), {
      endpoints: instances.map((instance) => instance.address),
      timeout: 1_000,
      retry: { maxAttempts: MAX_ATTEMPTS, budget: BUDGET, initialDelayMs: 5, maxDelayMs: 50 },
      methods: { Echo: { idempotent: true } },
    }),
  );
  const calls = new Array<number>(CLIENTS).fill(0);
  let failed = 0;
  let stop = false;
  const started = Date.now();
  const worker = async (client: EchoServiceClient, index: number): Promise<void> => {
    while (!stop && calls.reduce((a, b) => a + b, 0) < MAX_CALLS) {
      calls[index]!++;
      await client.echo({ text: 'x' }).catch(() => failed++);
    }
  };
  const running = clients.flatMap((client, index) => Array.from({ length: WORKERS_PER_CLIENT }, () => worker(client, index)));
  try {
    await new Promise((resolve) => setTimeout(resolve, SLOWDOWN_MS)); // the slowdown phase: a load duration, not a wait for a condition
    await waitUntil(() => calls.reduce((a, b) => a + b, 0) >= SLOWDOWN_CALLS, SLOWDOWN_LIMIT_MS, `${SLOWDOWN_CALLS} calls under the slowdown`, { intervalMs: 100 });
    const servedWhileSlow = instances.map((instance) => instance.served.count);
    slowed.delayMs = FAST_MS;
    // Recovery: the slowed instance serves its share of a probe interval's calls again (a third when even; a fifth is enough).
    let last = instances.map((instance) => instance.served.count);
    let share = 0;
    await waitUntil(() => {
      const now = instances.map((instance) => instance.served.count);
      const delta = now.map((count, i) => count - last[i]!);
      last = now;
      const total = delta.reduce((a, b) => a + b, 0);
      share = total === 0 ? 0 : delta[0]! / total;
      return share >= 0.2;
    }, RECOVERY_LIMIT_MS, () => `the slowed instance's share to return (last ${(share * 100).toFixed(0)} %)`, { intervalMs: 500 });
    stop = true;
    await Promise.all(running);
    const elapsedMs = Date.now() - started;
    const totalCalls = calls.reduce((a, b) => a + b, 0);
    const attempts = instances.reduce((sum, instance) => sum + instance.arrivals.length, 0);
    // Within 9 s no call has left the budget's bucketed 10 s window: the bound is exact. A longer run (slow recovery)
    // gets a fresh allowance per 9 s, which over-counts but stays a bound.
    const windows = Math.ceil(elapsedMs / 9_000);
    const allowedRetries = windows * (BUDGET * totalCalls + CLIENTS * FLOOR_PER_WINDOW);
    const shed = instances.reduce((sum, instance) => sum + instance.shedAt.length, 0);
    const summary = `${totalCalls} calls, ${decisions.retry} retries (${decisions.budgetExhausted} refused by the budget), ${attempts} attempts on the servers (${shed} shed), ${failed} failed, ${elapsedMs} ms; served while slow: ${servedWhileSlow.join('/')}`;
    t.diagnostic(summary);
    assert.ok(totalCalls > 100, `the load ran: ${summary}`);
    assert.ok(decisions.retry <= allowedRetries, `retries beyond the budget (${Math.round(allowedRetries)}): ${summary}`);
    assert.ok(attempts - totalCalls <= decisions.retry, `every extra attempt on a server is a counted retry: ${summary}`);
    assert.ok(decisions.budgetExhausted > 0, `the storm wanted more retries than the budget allows, and the budget refused them: ${summary}`);
  } finally {
    setClientTraceHook(undefined);
    stop = true;
    await Promise.all(running);
    await Promise.all(clients.map((client) => closeClient(client)));
    await Promise.all(instances.map((instance) => instance.stop()));
  }
});
