import { isIP } from 'node:net';
import { AUTH_METHOD_KEYS } from './schema-auth.js';
import type { BlockSpec, KeySpec, MapSpec } from './schema-types.js';

/** "4MB", "512KiB", "1048576": decimal (KB, MB, GB) and binary (KiB, MiB, GiB) units, or plain bytes. */
const BYTE_SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/;
const UNIT_BYTES: Readonly<Record<string, number>> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Bytes of a size as the .tsk writes it; undefined when it is not one. */
export function parseByteSize(text: string): number | undefined {
  const match = BYTE_SIZE.exec(text.trim());
  if (match === null) return undefined;
  const bytes = Math.floor(Number(match[1]) * UNIT_BYTES[match[2] ?? 'B']!);
  return bytes >= 1 ? bytes : undefined;
}

/** An IPv4/IPv6 address or a CIDR block ("10.0.0.0/8", "::1"). */
export function isAddressOrCidr(text: string): boolean {
  const [address, bits, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * `[gateway]` of a gateway descriptor (issue 13's contract): where the HTTP
 * edge listens and what it accepts. TuskGateway takes the same settings as
 * options (port, host, maxBodyBytes, maxTimeoutMs, services).
 */
export const GATEWAY_SECTION: BlockSpec = {
  kind: 'block',
  meaning: 'the HTTP gateway (REST transcoding and Connect) in front of the services',
  keys: {
    port: { kind: 'leaf', type: { kind: 'number', integer: true, min: 0, max: 65535 }, default: 8080, example: '@env("GATEWAY_PORT", 8080)', meaning: 'HTTP port to bind; 0 = any free port' },
    host: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: '0.0.0.0', example: '"127.0.0.1"', meaning: 'address to bind' },
    max_body: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: '4MiB', example: '"4MB"',
      check: (value) => (parseByteSize(value as string) === undefined ? 'is not a size such as "4MB", "512KiB" or a number of bytes' : undefined),
      meaning: 'largest request body; a larger one gets 413 without reaching a service',
    },
    max_timeout: { kind: 'leaf', type: { kind: 'duration', minMs: 1 }, default: '30s', example: '"10s"', meaning: 'cap on every call\'s deadline, whatever grpc-timeout or connect-timeout-ms asks' },
    services: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, nullable: true, default: null, example: '["acme.inventory.v1.InventoryService"]',
      meaning: 'full names of the services to serve; null = every generated service',
    },
    emit_zero_values: { kind: 'leaf', type: { kind: 'boolean' }, default: true, example: 'false', meaning: 'JSON answers include fields holding zero values (0, "", false, []), as grpc-gateway\'s EmitUnpopulated' },
    trusted_proxies: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, default: [], example: '["10.0.0.0/8", "127.0.0.1"]',
      check: (value) => (isAddressOrCidr(value as string) ? undefined : 'is not an IP address or a CIDR block such as "10.0.0.0/8"'),
      meaning: 'peers (addresses or CIDR blocks) whose X-Forwarded-For is believed for the client address; others\' is ignored',
    },
  },
};



/** Headers a browser may send by default: what REST, Connect and gRPC-Web clients set. */
const DEFAULT_ALLOW_HEADERS = ['authorization', 'content-type', 'x-api-key', 'x-request-id', 'traceparent', 'connect-protocol-version', 'connect-timeout-ms', 'grpc-timeout', 'x-grpc-web', 'x-user-agent'];
/** Response headers a page may read: without them a browser hides even grpc-status and the rate limit state. */
const DEFAULT_EXPOSE_HEADERS = ['x-request-id', 'grpc-status', 'grpc-message', 'grpc-status-details-bin', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after'];

/** `[cors]` (issue 13's contract keys, plus expose_headers): which browser origins may call the gateway. */
export const CORS_SECTION: BlockSpec = {
  kind: 'block',
  meaning: 'cross-origin calls from browsers: preflights are answered at the edge; an origin not listed gets no CORS headers',
  keys: {
    allow_origins: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, required: true, example: '["https://app.example.com"]',
      check: (value) => (value === '*' || /^https?:\/\/[^/\s]+$/.test(value as string) ? undefined : 'is not an origin such as "https://app.example.com" (scheme and host, no path) or "*"'),
      meaning: 'origins allowed to call; "*" = any origin',
    },
    allow_methods: { kind: 'leaf', type: { kind: 'enum', values: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] }, list: true, default: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], example: '["GET", "POST"]', meaning: 'HTTP methods a preflight allows' },
    allow_headers: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, default: DEFAULT_ALLOW_HEADERS, example: '["authorization", "content-type"]', meaning: 'request headers a preflight allows' },
    expose_headers: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, default: DEFAULT_EXPOSE_HEADERS, example: '["x-request-id"]', meaning: 'response headers the page may read' },
    allow_credentials: { kind: 'leaf', type: { kind: 'boolean' }, default: false, example: 'true', meaning: 'cookies and authorization may accompany cross-origin calls (the origin is then echoed, never "*")' },
    max_age: { kind: 'leaf', type: { kind: 'duration', minMs: 1000 }, default: '10m', example: '"10m"', meaning: 'how long a browser may cache a preflight answer' },
  },
};

const WHOLE_SECONDS = (value: unknown): string | undefined => ((value as number) % 1000 === 0 ? undefined : 'is not a whole number of seconds (the Redis store counts in seconds)');

const limitKeys = {
  requests: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, required: true, example: '1000', meaning: 'requests allowed per key in each window' },
  window: { kind: 'leaf', type: { kind: 'duration', minMs: 1000 }, required: true, check: WHOLE_SECONDS, example: '"1m"', meaning: 'the window the requests are counted in (whole seconds)' },
} as const satisfies Record<string, KeySpec>;

export const RATE_LIMIT_KEYS = ['ip', 'subject', 'api_key'] as const;
export const RATE_LIMIT_STORES = ['memory', 'redis'] as const;

/** `[rate_limit]` (issue 13's contract keys): requests per key and window, counted per instance or in Redis. */
export const RATE_LIMIT_SECTION: BlockSpec = {
  kind: 'block',
  meaning: 'rate limiting per caller at the edge: 429 with RateLimit-* and Retry-After once a key used its requests',
  keys: {
    ...limitKeys,
    key: { kind: 'leaf', type: { kind: 'enum', values: RATE_LIMIT_KEYS }, default: 'ip', example: '"subject"', meaning: 'what a caller is: client address, authenticated subject, or API key (the latter two fall back to the address when absent)' },
    store: { kind: 'leaf', type: { kind: 'enum', values: RATE_LIMIT_STORES }, default: 'memory', example: '"redis"', meaning: 'memory = counted per gateway instance; redis = shared by every instance using the same Redis' },
    redis_url: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: 'redis://127.0.0.1:6379', secret: true, example: '@env("TUSK_REDIS_URL", "redis://127.0.0.1:6379")',
      check: (value) => (/^rediss?:\/\/[^\s]+$/.test(value as string) ? undefined : 'is not a redis:// or rediss:// URL'),
      meaning: 'store redis: where the shared counters live; while it is unreachable each instance counts on its own',
    },
  },
};

/** `[methods] Name { public, scopes, rate_limit { requests, window } }`: per-method edge policy. */
export const GATEWAY_METHODS_SECTION: MapSpec = {
  kind: 'map',
  entryName: 'method',
  partialEntries: true,
  meaning: 'per-method edge policy, by method name: who may call it and its own rate limit',
  entry: {
    kind: 'block',
    meaning: 'one method\'s edge policy',
    keys: {
      ...AUTH_METHOD_KEYS,
      rate_limit: { kind: 'block', nullable: true, default: null, whole: true, keys: limitKeys, meaning: 'this method\'s own limit, instead of [rate_limit]\'s (same key and store)' },
    },
  },
};
