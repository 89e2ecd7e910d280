import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTsk, toRawDocument } from '../../../src/tsk/index.js';
import { formatIssue, validateDescriptorDocument, type ProtoFileInfo } from '../../../src/config/index.js';

const USER_PROTO: ProtoFileInfo = {
  file: 'user/v1/user.proto',
  services: [{
    name: 'user.v1.UserService',
    methods: [
      { name: 'CreateUser', kind: 'unary' }, { name: 'GetUser', kind: 'unary' },
      { name: 'ListUsers', kind: 'server_streaming' }, { name: 'ImportUsers', kind: 'client_streaming' },
    ],
  }],
};
const TWO_SERVICES: ProtoFileInfo = {
  file: 'multi/v1/multi.proto',
  services: [{ name: 'multi.v1.Alpha', methods: [] }, { name: 'multi.v1.Beta', methods: [] }],
};

const FILE = 'proto/user/v1/user.tsk';
const check = (text: string, proto: ProtoFileInfo = USER_PROTO, knownServices?: readonly string[]) =>
  validateDescriptorDocument(parseTsk(text, FILE), proto, knownServices ? { knownServices } : {});
const messages = (text: string, proto?: ProtoFileInfo, knownServices?: readonly string[]) => check(text, proto, knownServices).errors.map(formatIssue);

test('the issue\'s example: an unknown method at its exact position with a suggestion', () => {
  const text = [
    '# user service', '[service]', 'name: "user.v1.UserService"', '', '[client]', 'timeout: "2s"', '', '', '', '',
    '[methods]',
    '    GetUsr { timeout: "300ms" }',
  ].join('\n');
  assert.deepEqual(messages(text), [`${FILE}:12:5: unknown method "GetUsr" in [methods] (did you mean "GetUser"?)`]);
});

test('the example descriptors in proto/ validate cleanly against their protos', () => {
  const user = validateDescriptorDocument(parseTsk(readFileSync('proto/user/v1/user.tsk', 'utf8'), 'proto/user/v1/user.tsk'), USER_PROTO, { knownServices: ['user.v1.UserService', 'order.v1.OrderService'] });
  assert.deepEqual(user.errors.map(formatIssue), []);
  assert.equal(user.service, 'user.v1.UserService');
  const orderProto: ProtoFileInfo = {
    file: 'order/v1/order.proto',
    services: [{ name: 'order.v1.OrderService', methods: ['CreateOrder', 'GetOrder', 'ListOrdersByUser', 'WatchOrderStatus'].map((name) => ({ name, kind: 'unary' as const })) }],
  };
  const order = validateDescriptorDocument(parseTsk(readFileSync('proto/order/v1/order.tsk', 'utf8'), 'proto/order/v1/order.tsk'), orderProto, { knownServices: ['user.v1.UserService', 'order.v1.OrderService'] });
  assert.deepEqual(order.errors.map(formatIssue), []);
});

test('raw is the document\'s sections as plain JSON with @env kept deferred', () => {
  const text = '$region: "eu"\n[service]\nport: @env("USER_PORT", 0)\nmetadata { region: $region }\n[methods]\nGetUser { idempotent: true }\n';
  const result = check(text);
  assert.deepEqual(result.raw, {
    service: { port: { '@env': 'USER_PORT', '@at': '3:7', default: 0 }, metadata: { region: 'eu' } },
    methods: { GetUser: { idempotent: true } },
  }, 'each @env keeps its line:col, for load-time errors');
  assert.deepEqual(toRawDocument(parseTsk(text, FILE)).service, { port: { '@env': 'USER_PORT', default: 0 }, metadata: { region: 'eu' } });
});

test('@env("X", null) is accepted on any key: null leaves it unset', () => {
  assert.deepEqual(messages('[service]\nport: @env("P", null)\nversion: @env("V", null)\nmetadata { zone: @env("Z", null) }\n[client]\nretry { on: [@env("C", null)] }\n'), []);
  assert.deepEqual(messages('[service]\nport: @env("P", @env("Q", null))\n'), []);
});

test('an empty descriptor of a one-service proto configures that service', () => {
  const result = check('');
  assert.deepEqual(result, { service: 'user.v1.UserService', raw: {}, errors: [] });
});

test('several services and no name is an error at the [service] header, or at the top when there is none', () => {
  assert.deepEqual(messages('[service]\nport: 1\n', TWO_SERVICES), [
    `${FILE}:1:2: [service] name is required: multi/v1/multi.proto declares several services (multi.v1.Alpha, multi.v1.Beta)`,
  ]);
  assert.deepEqual(messages('[client]\ntimeout: "1s"\n', TWO_SERVICES), [
    `${FILE}:1:1: [service] name is required: multi/v1/multi.proto declares several services (multi.v1.Alpha, multi.v1.Beta)`,
  ]);
  const named = check('[service]\nname: "multi.v1.Beta"\n', TWO_SERVICES);
  assert.equal(named.service, 'multi.v1.Beta');
  assert.deepEqual(named.errors, []);
});

test('a name that is not a service of the proto points at the name, with a suggestion', () => {
  const result = check('[service]\nname: "user.v1.UserServise"\n[methods]\nGetUsr {}\n');
  assert.equal(result.service, null);
  assert.deepEqual(result.errors.map(formatIssue), [
    `${FILE}:2:7: service "user.v1.UserServise" is not in user/v1/user.proto (did you mean "user.v1.UserService"?); it declares user.v1.UserService`,
  ]);
  assert.deepEqual(messages('[service]\nname: @env("SVC", "user.v1.UserService")\n'), [
    `${FILE}:2:7: [service] name: must be a plain string, not @env: the service is chosen at generation time`,
  ]);
});

test('unknown sections, keys and root entries are errors with suggestions, at the key', () => {
  const text = [
    'stray: 1',                  // 1
    '[servce]',                  // 2
    'name: "x"',                 // 3
    '[client]',                  // 4
    'balancr: "random"',         // 5
    'retry {',                   // 6
    '  max_attemps: 2',          // 7
    '}',                         // 8
    '[methods]',                 // 9
    'GetUser { timout: "1s" }',  // 10
    '[zzz]',                     // 11
  ].join('\n');
  assert.deepEqual(messages(text), [
    `${FILE}:1:1: key "stray" is outside any section: move it under a [section], or make it a $variable`,
    `${FILE}:2:2: unknown section [servce] (did you mean [service]?); sections are [service], [discovery], [server], [client], [methods], [dependencies], [telemetry], [tls], [auth], [deploy], [events], [subscriptions]`,
    `${FILE}:5:1: unknown key "balancr" in [client] (did you mean "balancer"?)`,
    `${FILE}:7:3: unknown key "max_attemps" in [client] retry (did you mean "max_attempts"?)`,
    `${FILE}:10:11: unknown key "timout" in [methods] GetUser (did you mean "timeout"?)`,
    `${FILE}:11:2: unknown section [zzz]; sections are [service], [discovery], [server], [client], [methods], [dependencies], [telemetry], [tls], [auth], [deploy], [events], [subscriptions]`,
  ]);
});

test('all errors are collected and reported top to bottom with exact positions', () => {
  const text = [
    '[service]',
    'port: 70000',
    'advertise_host: "0.0.0.0"',
    '[discovery]',
    'provider: "etdc"',
    'endpoints: "a:1, ,b:2"',
    'ttl: "500ms"',
    '[client]',
    'timeout: 500',
    'retry { max_attempts: 0, on: ["UNAVAILABLE", "unavailable", "NOPE"], budget: 1.5 }',
    'bulkhead { queue: -1 }',
    '[telemetry]',
    'log_level: @env("LOG", "verbose")',
    'metrics_port: null',
  ].join('\n');
  assert.deepEqual(messages(text), [
    `${FILE}:2:7: [service] port: 70000 is not an integer from 0 to 65535`,
    `${FILE}:3:17: [service] advertise_host: "0.0.0.0" is not an address others can reach`,
    `${FILE}:5:11: [discovery] provider: "etdc" is not one of etcd, local, static (did you mean "etcd"?)`,
    `${FILE}:7:6: [discovery] ttl: "500ms" is shorter than 1s`,
    `${FILE}:9:10: [client] timeout: 500 is not a duration: write the unit, e.g. "500ms"`,
    `${FILE}:10:23: [client] retry.max_attempts: 0 is not an integer of at least 1`,
    `${FILE}:10:46: [client] retry.on: "unavailable" is not a gRPC status code name (did you mean "UNAVAILABLE"?)`,
    `${FILE}:10:61: [client] retry.on: "NOPE" is not a gRPC status code name`,
    `${FILE}:10:78: [client] retry.budget: 1.5 is not a number from 0 to 1`,
    `${FILE}:11:1: [client] bulkhead: missing key "max_concurrent" (calls running at once)`,
    `${FILE}:11:19: [client] bulkhead.queue: -1 is not an integer of at least 0`,
    `${FILE}:13:24: [telemetry] log_level: @env("LOG") default "verbose" is not one of trace, debug, info, warn, error, fatal, silent`,
  ]);
  assert.equal(check(text).raw, null);
});

test('a breaker threshold is read per strategy: failures in a row, or a ratio', () => {
  assert.deepEqual(messages('[client]\ncircuit_breaker { strategy: "sampling", threshold: 5 }\n'), [
    `${FILE}:2:52: [client] circuit_breaker.threshold: 5 is not a failure ratio above 0 and at most 1 (strategy "sampling")`,
  ]);
  assert.deepEqual(messages('[client]\ncircuit_breaker { threshold: 0.5 }\n'), [
    `${FILE}:2:30: [client] circuit_breaker.threshold: 0.5 is not a whole number of failures (strategy "consecutive")`,
  ]);
  assert.deepEqual(messages('[client]\ncircuit_breaker { strategy: "sampling" }\n'), [], 'sampling without threshold takes the ratio default');
  assert.deepEqual(messages('[client]\ncircuit_breaker { strategy: "sampling", threshold: 0.25 }\n'), []);
  assert.deepEqual(messages('[dependencies]\nx { service: "a.B", circuit_breaker { threshold: 0.5 } }\n'), [], 'an override cannot know the target\'s strategy');
});

test('circuit_breaker.on lists codes a failing endpoint causes; business and caller codes are refused', () => {
  assert.deepEqual(messages('[client]\ncircuit_breaker { on: ["UNAVAILABLE", "INTERNAL"] }\n'), []);
  assert.deepEqual(messages('[client]\ncircuit_breaker { on: ["UNAVAILABLE", "NOT_FOUND"] }\n'), [
    `${FILE}:2:39: [client] circuit_breaker.on: "NOT_FOUND" is not a code an endpoint's failure causes (one of UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, DATA_LOSS, RESOURCE_EXHAUSTED, UNIMPLEMENTED)`,
  ]);
});

test('lists accept arrays or one comma-separated string, and @env per item', () => {
  assert.deepEqual(messages('[discovery]\nendpoints: ["a:1", "b:2"]\n[client]\nretry { on: "UNAVAILABLE, ABORTED" }\n'), []);
  assert.deepEqual(messages('[client]\nretry { on: [@env("CODE", "ABORTED"), "UNAVAILABLE"] }\n'), []);
  assert.deepEqual(messages('[client]\nretry { on: [@env("CODE", "nope")] }\n'), [
    `${FILE}:2:27: [client] retry.on: @env("CODE") default "nope" is not a gRPC status code name`,
  ]);
  assert.deepEqual(messages('[discovery]\nendpoints: ""\n'), [`${FILE}:2:12: [discovery] endpoints: "" is an empty list`]);
  assert.deepEqual(messages('[discovery]\nendpoints: 5\n'), [`${FILE}:2:12: [discovery] endpoints: 5 is not a string`]);
});

test('@env defaults may be nested @env, each level checked', () => {
  assert.deepEqual(messages('[service]\nport: @env("A", @env("B", 8080))\n'), []);
  assert.deepEqual(messages('[service]\nport: @env("A", @env("B", "x"))\n'), [
    `${FILE}:2:27: [service] port: @env("B") default "x" is not an integer from 0 to 65535`,
  ]);
});

test('[dependencies]: service required, each target once, and checked against known services', () => {
  const known = ['user.v1.UserService', 'order.v1.OrderService'];
  const text = [
    '[dependencies]',
    'users { service: "user.v1.UserSevrice", timeout: "500ms" }',
    'orders { timeout: "1s" }',
    'again { service: "order.v1.OrderService" }',
    'twice { service: "order.v1.OrderService", methods { Get { idempotent: "yes" } } }',
  ].join('\n');
  assert.deepEqual(messages(text, USER_PROTO, known), [
    `${FILE}:2:18: unknown service "user.v1.UserSevrice" in [dependencies] users (did you mean "user.v1.UserService"?)`,
    `${FILE}:3:1: [dependencies] orders: missing key "service" (full proto name of the called service)`,
    `${FILE}:5:18: [dependencies] twice: service "order.v1.OrderService" is already configured by again`,
    `${FILE}:5:71: [dependencies] twice.methods.Get.idempotent: "yes" is not true or false`,
  ]);
  assert.deepEqual(messages('[dependencies]\nusers { service: "some.Other" }\n'), [], 'without knownServices targets are not checked');
});

test('[dependencies] methods must be methods of the target when the generator sees it, with a did-you-mean', () => {
  const text = [
    '[dependencies]',
    'users {',
    '    service: "user.v1.UserService"',
    '    methods { GetUsr { timeout: "100ms" }, ListUsers { idempotent: true }, Zap { timeout: "1s" } }',
    '}',
    'elsewhere { service: "far.v1.Away", methods { Anything { timeout: "1s" } } }',
  ].join('\n');
  const serviceMethods = { 'user.v1.UserService': ['CreateUser', 'GetUser', 'ListUsers', 'ImportUsers'] };
  const result = validateDescriptorDocument(parseTsk(text, FILE), USER_PROTO, { serviceMethods });
  assert.deepEqual(result.errors.map(formatIssue), [
    `${FILE}:4:15: unknown method "GetUsr" of user.v1.UserService in [dependencies] users.methods (did you mean "GetUser"?)`,
    `${FILE}:4:76: unknown method "Zap" of user.v1.UserService in [dependencies] users.methods`,
  ], 'a target the generator does not see (far.v1.Away) is checked when the process loads it');
});

test('a block given where a value belongs, and @env where a block belongs', () => {
  assert.deepEqual(messages('[client]\ntimeout { x: 1 }\nretry: @env("R")\n'), [
    `${FILE}:2:9: [client] timeout: expected a duration such as "250ms" or "5s", got a block`,
    `${FILE}:3:8: [client] retry: expected a block { ... }, got @env("R"), which can only stand for a single value`,
  ]);
  assert.deepEqual(messages('[methods]\nGetUser: 5\n'), [`${FILE}:2:10: [methods] GetUser: expected a block { ... }, got 5`]);
  assert.deepEqual(messages('[client]\nbulkhead: null\n'), [], 'null switches the bulkhead off');
});
