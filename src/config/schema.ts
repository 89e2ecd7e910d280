import { isWildcardHost } from '../discovery/keys.js';
import { defaultLocalRegistryDir } from '../discovery/local-files.js';
import { BREAKER_COUNTABLE_CODES } from '../resilience/failure.js';
import { CLIENT_CREDENTIAL_KEYS } from './schema-client-credentials.js';
import { ETCD_SECURITY_KEYS } from './schema-etcd-security.js';
import { EVENTS_SECTION } from './schema-events.js';
import { authSection } from './schema-auth.js';
import { DEPLOY_SECTION } from './schema-deploy.js';
import { overloadBlock } from './schema-overload.js';
import { SERVER_METHOD_KEYS } from './schema-server-methods.js';
import { SUBSCRIPTIONS_SECTION } from './schema-subscriptions.js';
import { TARGET_TLS, TLS_SECTION } from './schema-tls.js';
import type { BlockSpec, KeySpec, LeafSpec, MapSpec, SectionSpec } from './schema-types.js';

/**
 * The one description of a .tsk service descriptor (DESIGN.md, contract):
 * sections, keys, types, defaults and meaning. Generation-time validation
 * (validate-document.ts) and load-time resolution (resolve-descriptor.ts)
 * both walk this, so they can never disagree about a key.
 *
 * Entries before the first [section] may only be `$variables` (the parser
 * substitutes them); any other root key is an error.
 */

const BALANCERS = ['round_robin', 'random', 'weighted', 'least_request', 'p2c_ewma', 'ring_hash'] as const;
const PROVIDERS = ['etcd', 'local', 'static'] as const;
/** pino's level names. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const PORT = { kind: 'number', integer: true, min: 0, max: 65535 } as const;
/** gRPC's customary 4 MiB, both ways, so a default server never sends what a default client refuses. */
const messageBytes = (meaning: string): LeafSpec => ({ kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: 4 * 1024 * 1024, example: '16777216', meaning });
/** The keepalive ping of one side of a connection; the keys each side adds come after these two. */
const pingKeys = (time: string, timeoutMeaning: string): Record<string, LeafSpec> => ({
  time: { kind: 'leaf', type: { kind: 'duration', minMs: 1000 }, default: time, example: '"30s"', meaning: 'ping a connection after this long without activity' },
  timeout: { kind: 'leaf', type: { kind: 'duration', minMs: 1 }, default: '20s', example: '"5s"', meaning: timeoutMeaning },
});

const balancer: LeafSpec = { kind: 'leaf', type: { kind: 'enum', values: BALANCERS }, default: 'p2c_ewma', example: '"round_robin"', meaning: 'load-balancing policy across endpoints' };
const timeout: LeafSpec = { kind: 'leaf', type: { kind: 'duration', minMs: 1 }, default: '2s', example: '"250ms"', meaning: 'overall deadline of a call' };

const retry: BlockSpec = {
  kind: 'block',
  meaning: 'retries of idempotent calls (cockatiel)',
  keys: {
    max_attempts: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: 3, example: '5', meaning: 'total attempts, the first one included' },
    backoff: { kind: 'leaf', type: { kind: 'enum', values: ['exponential', 'constant'] }, default: 'exponential', example: '"constant"', meaning: 'delay growth between attempts' },
    initial_delay: { kind: 'leaf', type: { kind: 'duration' }, default: '25ms', example: '"50ms"', meaning: 'delay before the first retry' },
    max_delay: { kind: 'leaf', type: { kind: 'duration' }, default: '1s', example: '"2s"', meaning: 'upper bound of any retry delay' },
    on: { kind: 'leaf', type: { kind: 'code' }, list: true, default: ['UNAVAILABLE'], example: '["UNAVAILABLE", "DEADLINE_EXCEEDED"]', meaning: 'status code names that may be retried' },
    budget: { kind: 'leaf', type: { kind: 'number', min: 0, max: 1 }, default: 0.2, example: '0.1', meaning: 'retries allowed as a fraction of calls' },
  },
};

const circuitBreaker: BlockSpec = {
  kind: 'block',
  meaning: 'one circuit breaker per endpoint, shared by all methods of the client',
  keys: {
    strategy: { kind: 'leaf', type: { kind: 'enum', values: ['consecutive', 'sampling'] }, default: 'consecutive', example: '"sampling"', meaning: 'what opens the breaker' },
    threshold: {
      kind: 'leaf',
      type: { kind: 'number', min: 0 },
      default: (sibling) => (sibling('strategy') === 'sampling' ? SAMPLING_DEFAULT_THRESHOLD : 5),
      defaultText: '`5` (consecutive), `0.5` (sampling)',
      check: (value) => ((value as number) > 0 ? undefined : 'is not above 0'),
      example: '10', meaning: 'consecutive: failures in a row; sampling: failure ratio 0..1',
    },
    half_open_after: { kind: 'leaf', type: { kind: 'duration', minMs: 1 }, default: '5s', example: '"30s"', meaning: 'time open before a probe call' },
    window: { kind: 'leaf', type: { kind: 'duration', minMs: 1 }, default: '10s', example: '"1m"', meaning: 'sampling: window of the failure ratio' },
    minimum_rps: { kind: 'leaf', type: { kind: 'number', min: 0 }, default: 5, example: '20', meaning: 'sampling: calls/s below which it never opens' },
    on: {
      kind: 'leaf', type: { kind: 'code' }, list: true, default: ['UNAVAILABLE', 'DEADLINE_EXCEEDED'],
      check: (value) => (BREAKER_COUNTABLE_CODES.includes(value as string) ? undefined : `is not a code an endpoint's failure causes (one of ${BREAKER_COUNTABLE_CODES.join(', ')})`),
      example: '["UNAVAILABLE", "INTERNAL"]',
      meaning: 'status codes that count as endpoint failures (DEADLINE_EXCEEDED: per-try timeouts only)',
    },
  },
  crossCheck: (get) => {
    const strategy = get('strategy');
    const threshold = get('threshold');
    if (typeof strategy !== 'string' || typeof threshold !== 'number') return undefined;
    const problem = breakerThresholdProblem(strategy, threshold);
    return problem === undefined ? undefined : { key: 'threshold', problem };
  },
};

/** The failure ratio a sampling breaker gets when its threshold is not written. */
export const SAMPLING_DEFAULT_THRESHOLD = 0.5;

/** The cross-key rule of a breaker: how `threshold` reads depends on `strategy`. */
export function breakerThresholdProblem(strategy: string, threshold: number): string | undefined {
  if (strategy === 'consecutive' && !(Number.isInteger(threshold) && threshold >= 1)) return 'is not a whole number of failures (strategy "consecutive")';
  if (strategy === 'sampling' && !(threshold > 0 && threshold <= 1)) return 'is not a failure ratio above 0 and at most 1 (strategy "sampling")';
  return undefined;
}

const bulkhead: BlockSpec = {
  kind: 'block',
  nullable: true,
  default: null,
  whole: true,
  meaning: 'cap on concurrent calls per service; absent or null = off',
  keys: {
    max_concurrent: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, required: true, example: '64', meaning: 'calls running at once' },
    queue: { kind: 'leaf', type: { kind: 'number', integer: true, min: 0 }, default: 0, example: '128', meaning: 'calls waiting for a slot' },
  },
};

const adaptiveLimit: BlockSpec = {
  kind: 'block',
  nullable: true,
  default: null,
  whole: true,
  meaning: 'client-side AIMD concurrency limit per endpoint, so a client does not pile onto a struggling instance; absent or null = off',
  keys: {
    initial_limit: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: 20, example: '50', meaning: 'calls at once per endpoint to start with' },
    min_limit: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: 1, example: '4', meaning: 'the limit never shrinks below this' },
    max_limit: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: 200, example: '500', meaning: 'the limit never grows above this' },
    backoff_ratio: { kind: 'leaf', type: { kind: 'number', min: 0.5, max: 0.99 }, default: 0.9, example: '0.8', meaning: 'the limit is multiplied by this when the endpoint pushes back' },
  },
  crossCheck: (get) => {
    const [min, initial, max] = [get('min_limit'), get('initial_limit'), get('max_limit')];
    if (typeof min !== 'number' || typeof initial !== 'number' || typeof max !== 'number') return undefined;
    if (max < min) return { key: 'max_limit', problem: `is below min_limit (${min})` };
    if (initial < min || initial > max) return { key: 'initial_limit', problem: `is not between min_limit (${min}) and max_limit (${max})` };
    return undefined;
  },
};

const methodEntry: BlockSpec = {
  kind: 'block',
  meaning: 'policy of one RPC',
  keys: {
    timeout,
    idempotent: { kind: 'leaf', type: { kind: 'boolean' }, default: false, example: 'true', meaning: 'safe to retry after it may have reached a server' },
    balancer,
    retry,
  },
};

const methods: MapSpec = { kind: 'map', entryName: 'method', entry: methodEntry, partialEntries: true, meaning: 'per-RPC overrides keyed by proto method name' };
/** The service's own [methods]: the client policy its callers inherit, plus the keys only its server reads. */
const ownMethods: MapSpec = { ...methods, entry: { ...methodEntry, keys: { ...methodEntry.keys, ...SERVER_METHOD_KEYS } } };

const discovery: BlockSpec = {
  kind: 'block',
  meaning: 'how instances register and are found',
  keys: {
    provider: { kind: 'leaf', type: { kind: 'enum', values: PROVIDERS }, default: 'local', example: '"etcd"', meaning: 'registry kind (env TUSK_DISCOVERY)' },
    endpoints: {
      kind: 'leaf',
      type: { kind: 'string', nonEmpty: true },
      list: true,
      default: '127.0.0.1:2379',
      example: '["10.0.0.5:2379", "10.0.0.6:2379"]', meaning: 'etcd: cluster host:port list (env TUSK_ETCD_ENDPOINTS); static: the instances',
    },
    prefix: { kind: 'leaf', type: { kind: 'string' }, default: 'services', example: '"prod/services"', meaning: 'etcd key prefix' },
    ttl: { kind: 'leaf', type: { kind: 'duration', minMs: 1000 }, default: '10s', example: '"15s"', meaning: 'registration lease time to live' },
    dir: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: () => defaultLocalRegistryDir(), defaultText: '`tusk-grpc-registry-<uid>` in the OS temp folder (mode 0700)', example: '"/var/run/tusk-registry"', meaning: 'local provider: shared folder, per user by default, refused when others may write it (env TUSK_REGISTRY_DIR)' },
    ...ETCD_SECURITY_KEYS,
  },
};

const service: BlockSpec = {
  kind: 'block',
  meaning: 'identity and address of the service',
  keys: {
    name: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, example: '"user.v1.UserService"', meaning: 'full proto service name; may be left out when the proto has one service' },
    version: { kind: 'leaf', type: { kind: 'string' }, default: '0.0.0', example: '"1.4.2"', meaning: 'version published in the registry' },
    port: { kind: 'leaf', type: PORT, default: 0, example: '50051', meaning: 'port to bind; 0 = any free port' },
    host: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: '0.0.0.0', example: '"127.0.0.1"', meaning: 'address to bind' },
    advertise_host: {
      kind: 'leaf',
      type: { kind: 'string', nonEmpty: true },
      nullable: true,
      default: null,
      check: (value) => (isWildcardHost(value as string) ? 'is not an address others can reach' : undefined),
      example: '"10.0.3.17"',
      meaning: 'host written to the registry (env TUSK_ADVERTISE_HOST); null = the bind host, or for a wildcard bind host the first non-internal interface address in etcd and 127.0.0.1 in the local registry',
    },
    metadata: { kind: 'map', entryName: 'metadata key', entry: { kind: 'leaf', type: { kind: 'metadata' }, example: '"eu-west-1"', meaning: 'registry metadata value' }, meaning: 'published with each instance' },
  },
};

const dependencyEntry: BlockSpec = {
  kind: 'block',
  meaning: "this caller's overrides for a service it calls",
  keys: {
    service: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, required: true, example: '"billing.v1.InvoiceService"', meaning: 'full proto name of the called service' },
    balancer,
    timeout,
    retry,
    circuit_breaker: circuitBreaker,
    bulkhead,
    adaptive_limit: adaptiveLimit,
    methods,
    discovery,
    ...CLIENT_CREDENTIAL_KEYS,
    tls: TARGET_TLS,
  },
};

export const DESCRIPTOR_SCHEMA: Readonly<Record<string, SectionSpec>> = {
  service,
  discovery,
  server: {
    kind: 'block',
    meaning: 'server hosting and its limits',
    keys: {
      drain_delay: {
        kind: 'leaf', type: { kind: 'duration' }, nullable: true, default: null, example: '"2s"',
        meaning: 'on stop, time between deregistering and closing, still serving with health NOT_SERVING; null = how long the registry takes to tell watchers (etcd 1s, local its poll period, static 0)',
      },
      shutdown_grace: { kind: 'leaf', type: { kind: 'duration' }, default: '10s', example: '"30s"', meaning: 'time in-flight calls get on shutdown, after the drain delay' },
      reflection: { kind: 'leaf', type: { kind: 'boolean' }, default: true, example: 'false', meaning: 'serve gRPC server reflection' },
      transport: {
        kind: 'leaf', type: { kind: 'enum', values: ['grpc-js', 'http2'] }, default: 'grpc-js', example: '"http2"',
        meaning: 'the gRPC server underneath: "grpc-js" (@grpc/grpc-js) or "http2" (tusk\'s lean transport on node:http2, docs/transport.md)',
      },
      max_receive_message_bytes: messageBytes('largest accepted request; larger gets RESOURCE_EXHAUSTED'),
      max_send_message_bytes: messageBytes('largest response sent; larger fails the call with RESOURCE_EXHAUSTED'),
      max_concurrent_streams: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: 1000, example: '256', meaning: 'calls at once on one client connection (HTTP/2 SETTINGS)' },
      keepalive: {
        kind: 'block',
        meaning: 'HTTP/2 pings that find dead client connections',
        keys: {
          ...pingKeys('1m', 'close the connection when a ping is not answered within this'),
          min_client_ping_interval: {
            kind: 'leaf', type: { kind: 'duration' }, default: '10s', example: '"1m"',
            meaning: 'a client pinging more often (3 times) gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings"; a new call forgives',
          },
        },
      },
      max_connection_idle: { kind: 'leaf', type: { kind: 'duration', minMs: 1000 }, nullable: true, default: '10m', example: '"5m"', meaning: 'close a connection without calls for this long (GOAWAY); null = never' },
      max_connection_age: {
        kind: 'leaf', type: { kind: 'duration', minMs: 1000 }, nullable: true, default: null, example: '"30m"',
        meaning: 'close every connection after this long (GOAWAY, its calls get shutdown_grace), so clients rebalance; null = never, or 30m when [tls] gives the server a certificate (no connection outlives a rotation by more)',
      },
      overload: overloadBlock,
    },
  },
  client: {
    kind: 'block',
    meaning: 'defaults for every caller of this service',
    keys: {
      balancer, timeout, retry, circuit_breaker: circuitBreaker, bulkhead, adaptive_limit: adaptiveLimit,
      transport: {
        kind: 'leaf', type: { kind: 'enum', values: ['grpc-js', 'http2'] }, default: 'grpc-js', example: '"http2"',
        meaning: 'the gRPC client underneath: "grpc-js" (@grpc/grpc-js channels) or "http2" (tusk\'s lean transport on node:http2, docs/transport.md)',
      },
      max_receive_message_bytes: messageBytes('largest accepted response; larger fails with RESOURCE_EXHAUSTED'),
      max_send_message_bytes: messageBytes('largest request sent; larger fails with RESOURCE_EXHAUSTED, unsent'),
      keepalive: {
        kind: 'block',
        meaning: 'HTTP/2 pings that find dead server connections',
        keys: {
          // 5m: grpc-go and grpc-core servers answer more frequent pings with GOAWAY too_many_pings by default.
          ...pingKeys('5m', 'the connection is dead when a ping is not answered within this'),
          permit_without_calls: { kind: 'leaf', type: { kind: 'boolean' }, default: false, example: 'true', meaning: 'ping also when no call is running' },
        },
      },
    },
  },
  methods: ownMethods,
  dependencies: { kind: 'map', entryName: 'dependency', entry: dependencyEntry, partialEntries: true, meaning: 'overrides for services this one calls' },
  telemetry: {
    kind: 'block',
    meaning: 'metrics and logs',
    keys: {
      metrics_port: { kind: 'leaf', type: PORT, nullable: true, default: null, example: '9464', meaning: 'Prometheus and /healthz HTTP port; null = off' },
      log_level: { kind: 'leaf', type: { kind: 'enum', values: LOG_LEVELS }, default: 'info', example: '"debug"', meaning: 'pino level (env TUSK_LOG_LEVEL)' },
    },
  },
  tls: TLS_SECTION,
  auth: authSection,
  deploy: DEPLOY_SECTION,
  events: EVENTS_SECTION,
  subscriptions: SUBSCRIPTIONS_SECTION,
};

/** The name a key gets in resolved config: camelCase, durations suffixed `Ms` (`half_open_after` → `halfOpenAfterMs`). */
export function resolvedKeyName(key: string, spec: KeySpec): string {
  const camel = key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
  return spec.kind === 'leaf' && spec.type.kind === 'duration' ? `${camel}Ms` : camel;
}
