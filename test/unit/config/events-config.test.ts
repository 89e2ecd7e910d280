// [events]: defaults, the contract overrides TUSK_EVENTS / TUSK_NATS_SERVERS, TUSK_EVENTS_DIR, and bad values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, resolveDescriptor } from '../../../src/config/index.js';
import { parseTsk } from '../../../src/tsk/index.js';
import { validateDescriptorDocument } from '../../../src/config/validate-document.js';
import { formatIssue } from '../../../src/config/issues.js';
import type { ProtoFileInfo } from '../../../src/config/validate-document.js';

const PROTO: ProtoFileInfo = { file: 'shop/v1/shop.proto', services: [{ name: 'shop.v1.Shop', methods: [] }] };

const resolve = (raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => resolveDescriptor(raw as never, 'user/v1/user.tsk', 'user.v1.UserService', env).events;

test('[events] defaults: local broker, NATS at 127.0.0.1:4222, prefix events, stream TUSK_EVENTS', () => {
  const events = resolve({});
  assert.equal(events.broker, 'local');
  assert.deepEqual(events.servers, ['127.0.0.1:4222']);
  assert.equal(events.prefix, 'events');
  assert.equal(events.stream, 'TUSK_EVENTS');
  assert.equal(events.retention, 'limits');
  assert.equal(events.maxAgeMs, null);
  assert.equal(events.replicas, 1);
  assert.equal(events.duplicateWindowMs, 120_000);
  assert.match(events.dir, /tusk-grpc-events-/);
});

test('TUSK_EVENTS and TUSK_NATS_SERVERS override broker and servers; TUSK_EVENTS_DIR the local folder; empty means unset', () => {
  const raw = { events: { broker: 'local', servers: ['10.0.0.1:4222'], dir: '/srv/events', max_age: '24h', duplicate_window: '10m' } };
  const events = resolve(raw, { TUSK_EVENTS: 'nats', TUSK_NATS_SERVERS: 'a:4222,b:4222', TUSK_EVENTS_DIR: '/tmp/private-events' });
  assert.equal(events.broker, 'nats');
  assert.deepEqual(events.servers, ['a:4222', 'b:4222']);
  assert.equal(events.dir, '/tmp/private-events');
  assert.equal(events.maxAgeMs, 86_400_000);
  assert.equal(events.duplicateWindowMs, 600_000);
  const unset = resolve(raw, { TUSK_EVENTS: '', TUSK_NATS_SERVERS: '' });
  assert.equal(unset.broker, 'local');
  assert.deepEqual(unset.servers, ['10.0.0.1:4222']);
});

test('a bad TUSK_EVENTS is a ConfigError naming the variable and the key', () => {
  assert.throws(() => resolve({}, { TUSK_EVENTS: 'kafka' }), (error: unknown) => error instanceof ConfigError && /TUSK_EVENTS="kafka"/.test(error.message) && /\[events\] broker/.test(error.message));
});

test('.tsk problems in [events] are file:line:col errors with a did-you-mean', () => {
  const text = '[events]\nbroker: "natz"\nprefix: "events.>"\nstrem: "X"\n';
  const issues = validateDescriptorDocument(parseTsk(text, 'shop.tsk'), PROTO).errors.map(formatIssue);
  assert.ok(issues.some((line: string) => /^shop\.tsk:2:\d+: .*natz/.test(line)), issues.join('\n'));
  assert.ok(issues.some((line: string) => /^shop\.tsk:3:\d+: .*NATS subject prefix/.test(line)), issues.join('\n'));
  assert.ok(issues.some((line: string) => /^shop\.tsk:4:\d+: .*strem.*stream/.test(line)), issues.join('\n'));
});
