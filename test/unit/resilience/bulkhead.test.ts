import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceBulkhead } from '../../../src/resilience/bulkhead.js';
import { Code, TuskError } from '../../../src/status/index.js';

const isCode = (code: Code) => (error: unknown) => error instanceof TuskError && error.code === code;

test('slots are taken without a promise while free; waiters get them in order; beyond the queue RESOURCE_EXHAUSTED', async () => {
  const bulkhead = new ServiceBulkhead({ maxConcurrent: 1, queue: 2 }, 'svc');
  assert.equal(bulkhead.acquire(undefined, undefined), undefined);
  const order: string[] = [];
  const first = bulkhead.acquire(undefined, undefined)!.then(() => order.push('first'));
  const second = bulkhead.acquire(undefined, undefined)!.then(() => order.push('second'));
  await assert.rejects(bulkhead.acquire(undefined, undefined)!, isCode(Code.RESOURCE_EXHAUSTED));
  bulkhead.release();
  await first;
  bulkhead.release();
  await second;
  assert.deepEqual(order, ['first', 'second']);
  bulkhead.release();
  assert.equal(bulkhead.acquire(undefined, undefined), undefined, 'the slot went back to the pool');
});

test('a waiter leaves the queue when its signal aborts or its deadline passes, and frees its place', async () => {
  const bulkhead = new ServiceBulkhead({ maxConcurrent: 1, queue: 1 }, 'svc');
  bulkhead.acquire(undefined, undefined);
  const controller = new AbortController();
  const cancelled = bulkhead.acquire(controller.signal, undefined)!;
  controller.abort();
  await assert.rejects(cancelled, isCode(Code.CANCELLED));
  await assert.rejects(bulkhead.acquire(undefined, Date.now() + 20)!, isCode(Code.DEADLINE_EXCEEDED));
  await assert.rejects(bulkhead.acquire(AbortSignal.abort(), undefined)!, isCode(Code.CANCELLED));
  const next = bulkhead.acquire(undefined, undefined)!;
  bulkhead.release();
  await next; // it got the slot: the two that left kept no place
});
