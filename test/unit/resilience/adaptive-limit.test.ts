import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointLoad, limitSample } from '../../../src/client/endpoint-load.js';
import { defineService, effectiveClientConfig, formatIssue, validateDescriptorDocument } from '../../../src/config/index.js';
import { AimdLimit } from '../../../src/resilience/adaptive-limit.js';
import { NotSentError } from '../../../src/resilience/failure.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { parseTsk } from '../../../src/tsk/index.js';
import { stubMethods } from '../../helpers/stub-methods.js';

const policy = { initialLimit: 4, minLimit: 2, maxLimit: 6, backoffRatio: 0.5 };

test('AIMD: admits up to the limit; grows by one per answered call while the limit is in use; halves on a drop, never below min', () => {
  const limit = new AimdLimit(policy);
  for (let i = 0; i < 4; i++) {
    assert.equal(limit.admits, true);
    limit.start();
  }
  assert.equal(limit.admits, false, 'the fifth call waits for a slot');
  limit.end('ok'); // 4 were in flight of 4: the limit was what held calls back
  assert.equal(limit.limit, 5);
  limit.end('ok');
  limit.end('ok');
  limit.end('ok');
  assert.equal(limit.limit, 6, 'capped at max_limit');
  limit.start();
  limit.end('drop');
  assert.equal(limit.limit, 3);
  limit.start();
  limit.end('drop');
  assert.equal(limit.limit, 2, 'floored at min_limit');
  limit.start();
  limit.end('ignore');
  assert.equal(limit.limit, 2, 'a call that says nothing about the endpoint changes nothing');
  assert.equal(limit.inFlight, 0);
});

test('AIMD: an idle client does not inflate its limit', () => {
  const limit = new AimdLimit({ ...policy, initialLimit: 6 });
  for (let i = 0; i < 20; i++) {
    limit.start();
    limit.end('ok'); // one call at a time: far below the limit
  }
  assert.equal(limit.limit, 6);
  const low = new AimdLimit({ ...policy, maxLimit: 100, initialLimit: 10 });
  for (let i = 0; i < 20; i++) {
    low.start();
    low.end('ok');
  }
  assert.equal(low.limit, 10);
});

test('EndpointLoad: a pushback parks the endpoint until it ends; a shorter later one does not cut it short', () => {
  let now = 1_000;
  const load = new EndpointLoad(null, () => now);
  assert.equal(load.admits, true);
  load.pushBack(200);
  load.pushBack(50);
  assert.equal(load.admits, false);
  assert.equal(load.pushbackLeftMs(), 200);
  now += 199;
  assert.equal(load.admits, false);
  now += 1;
  assert.equal(load.admits, true);
  assert.equal(load.pushbackLeftMs(), 0);
  load.pushBack(0);
  assert.equal(load.admits, true, 'a zero pushback parks nothing');
});

test('EndpointLoad with an adaptive limit: full means busy', () => {
  const load = new EndpointLoad({ ...policy, initialLimit: 2 });
  load.limit!.start();
  load.limit!.start();
  assert.equal(load.admits, false);
  load.limit!.end('ignore');
  assert.equal(load.admits, true);
});

test('limitSample: overload answers and expired per-try timeouts are drops; unsent, cancelled and the caller\'s own deadline say nothing', () => {
  const shed = new TuskError(Code.UNAVAILABLE, 'shed', { errorInfo: { reason: 'OVERLOADED', domain: 'tusk-grpc' } });
  assert.equal(limitSample(undefined, false), 'ok');
  assert.equal(limitSample(shed, false), 'drop');
  assert.equal(limitSample(new TuskError(Code.DEADLINE_EXCEEDED, 'per-try'), true), 'drop');
  assert.equal(limitSample(new TuskError(Code.DEADLINE_EXCEEDED, 'caller deadline'), false), 'ignore');
  assert.equal(limitSample(new NotSentError(Code.UNAVAILABLE, 'no connection'), true), 'ignore');
  assert.equal(limitSample(new TuskError(Code.CANCELLED, 'x'), false), 'ignore');
  assert.equal(limitSample(new TuskError(Code.NOT_FOUND, 'answered'), false), 'ok');
  assert.equal(limitSample(new TuskError(Code.UNAVAILABLE, 'broken'), true), 'ignore');
});

test('[client] adaptive_limit: limits out of order are one error at file:line:col', () => {
  const proto = { file: 'test/v1/keys.proto', services: [{ name: 'test.v1.Keys', methods: [{ name: 'GetThing', kind: 'unary' as const }] }] };
  const check = (text: string) => validateDescriptorDocument(parseTsk(text, 'keys.tsk'), proto).errors.map(formatIssue);
  assert.deepEqual(check('[client]\nadaptive_limit { initial_limit: 10, max_limit: 50 }\n'), []);
  assert.deepEqual(check('[client]\nadaptive_limit { initial_limit: 500 }\n'), ['keys.tsk:2:33: [client] adaptive_limit.initial_limit: 500 is not between min_limit (1) and max_limit (200)']);
  assert.equal(check('[client]\nadaptive_limit { min_limit: 8, max_limit: 4, initial_limit: 5 }\n').length, 1);
});

test('adaptive_limit resolves from [client], a caller\'s [dependencies] entry may switch it off, options override both', () => {
  const target = defineService({
    name: 'limits.v1.Target', protoFile: 'limits/v1/target.proto', descriptorFile: 'limits/v1/target.tsk',
    methods: stubMethods('limits.v1.Target', ['Get']), config: { client: { adaptive_limit: { initial_limit: 10 } } },
  });
  assert.deepEqual(effectiveClientConfig(target, {}, {}).policy.adaptiveLimit, { initialLimit: 10, minLimit: 1, maxLimit: 200, backoffRatio: 0.9 });
  const caller = defineService({
    name: 'limits.v1.Caller', protoFile: 'limits/v1/caller.proto', descriptorFile: 'limits/v1/caller.tsk',
    methods: stubMethods('limits.v1.Caller', ['Run']), config: { dependencies: { target: { service: 'limits.v1.Target', adaptive_limit: null } } },
  });
  assert.equal(effectiveClientConfig(target, { caller }, {}).policy.adaptiveLimit, null);
  const fromOptions = effectiveClientConfig(target, { caller, adaptiveLimit: policy }, {}).policy.adaptiveLimit;
  assert.deepEqual(fromOptions, policy);
  const { policy: defaults } = effectiveClientConfig(defineService({ name: 'limits.v1.Plain', protoFile: 'limits/v1/plain.proto', descriptorFile: null, methods: stubMethods('limits.v1.Plain', ['Get']), config: {} }), {}, {});
  assert.equal(defaults.adaptiveLimit, null, 'off by default');
});
