import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTsk, printTsk, toRawDocument } from '../../../src/tsk/index.js';

// The descriptor from DESIGN.md, verbatim, plus a caller's [dependencies].
const DESIGN_EXAMPLE = `# proto/user/v1/user.tsk
$env: @env("TUSK_ENV", "development")

[service]
name: "user.v1.UserService"          # a service of the proto file
version: "1.0.0"
port: @env("USER_PORT", 0)            # 0 = any free port
metadata { region: @env("REGION", "local"), weight: 100 }

[discovery]
provider: @env("TUSK_DISCOVERY", "local")     # etcd | local | static
endpoints: @env("TUSK_ETCD_ENDPOINTS", "127.0.0.1:2379")
prefix: "services"
ttl: "10s"

[server]
shutdown_grace: "10s"
reflection: true

[client]                               # defaults for every caller of this service
balancer: "p2c_ewma"                   # round_robin | random | weighted | least_request | p2c_ewma | ring_hash
timeout: "2s"
retry {
    max_attempts: 3                    # total attempts, first one included
    backoff: "exponential"
    initial_delay: "25ms"
    max_delay: "1s"
    on: ["UNAVAILABLE"]
    budget: 0.2                        # retries at most 20% of calls
}
circuit_breaker {
    strategy: "consecutive"            # consecutive | sampling
    threshold: 5
    half_open_after: "5s"
}

[methods]
GetUser { timeout: "300ms", idempotent: true }
CreateUser { idempotent: false }

[dependencies]
users { service: "user.v1.UserService", balancer: "round_robin", timeout: "500ms" }
`;

const EXPECTED = {
  service: {
    name: 'user.v1.UserService',
    version: '1.0.0',
    port: { '@env': 'USER_PORT', default: 0 },
    metadata: { region: { '@env': 'REGION', default: 'local' }, weight: 100 },
  },
  discovery: {
    provider: { '@env': 'TUSK_DISCOVERY', default: 'local' },
    endpoints: { '@env': 'TUSK_ETCD_ENDPOINTS', default: '127.0.0.1:2379' },
    prefix: 'services',
    ttl: '10s',
  },
  server: { shutdown_grace: '10s', reflection: true },
  client: {
    balancer: 'p2c_ewma',
    timeout: '2s',
    retry: { max_attempts: 3, backoff: 'exponential', initial_delay: '25ms', max_delay: '1s', on: ['UNAVAILABLE'], budget: 0.2 },
    circuit_breaker: { strategy: 'consecutive', threshold: 5, half_open_after: '5s' },
  },
  methods: { GetUser: { timeout: '300ms', idempotent: true }, CreateUser: { idempotent: false } },
  dependencies: { users: { service: 'user.v1.UserService', balancer: 'round_robin', timeout: '500ms' } },
};

test('the DESIGN.md descriptor parses to the expected plain form', () => {
  const document = parseTsk(DESIGN_EXAMPLE, 'proto/user/v1/user.tsk');
  assert.deepEqual(toRawDocument(document), EXPECTED);
  assert.deepEqual(document.root.entries, []);
  assert.deepEqual(document.sections.map((section) => section.key), ['service', 'discovery', 'server', 'client', 'methods', 'dependencies']);
});

test('positions in the DESIGN.md descriptor point at the written values', () => {
  const document = parseTsk(DESIGN_EXAMPLE, 'proto/user/v1/user.tsk');
  const methods = document.sections[4];
  assert.deepEqual(methods.keyPos, { file: 'proto/user/v1/user.tsk', line: 37, column: 2 });
  const methodsObject = methods.value;
  assert.ok(methodsObject.kind === 'object');
  const getUser = methodsObject.entries[0];
  assert.equal(getUser.key, 'GetUser');
  assert.deepEqual(getUser.keyPos, { file: 'proto/user/v1/user.tsk', line: 38, column: 1 });
  assert.ok(getUser.value.kind === 'object');
  assert.deepEqual(getUser.value.entries[0].value.pos, { file: 'proto/user/v1/user.tsk', line: 38, column: 20 });
});

test('the DESIGN.md descriptor survives print and parse', () => {
  const printed = printTsk(EXPECTED);
  assert.deepEqual(toRawDocument(parseTsk(printed, 'printed.tsk')), EXPECTED);
  assert.equal(printTsk(toRawDocument(parseTsk(printed, 'printed.tsk'))), printed);
});
