import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GatewayConfigError, loadGatewayConfig } from '../../../src/gateway/gateway-config.js';

const NO_POLICIES = { cors: null, rateLimit: null, auth: null, methods: {} };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-gateway-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function descriptor(text: string): Promise<string> {
  const path = join(dir, `gateway-${Math.random().toString(36).slice(2)}.tsk`);
  await writeFile(path, text);
  return path;
}

function problems(path: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadGatewayConfig(path, env, dir);
  } catch (error) {
    assert.ok(error instanceof GatewayConfigError, String(error));
    return [...error.lines];
  }
  assert.fail('expected the descriptor to be refused');
}

test('the contract keys, with @env and units resolved', async () => {
  const path = await descriptor('[gateway]\nport: @env("GATEWAY_PORT", 8080)\nhost: "127.0.0.1"\nmax_body: "1MiB"\nmax_timeout: "5s"\nservices: ["acme.inventory.v1.InventoryService"]\n');
  assert.deepEqual(loadGatewayConfig(path, { GATEWAY_PORT: '9090' }, dir), {
    port: 9090, host: '127.0.0.1', maxBodyBytes: 1_048_576, maxTimeoutMs: 5000, services: ['acme.inventory.v1.InventoryService'], emitZeroValues: true,
    trustedProxies: [], policies: NO_POLICIES,
  });
});

test('an empty descriptor is all defaults', async () => {
  assert.deepEqual(loadGatewayConfig(await descriptor(''), {}, dir), {
    port: 8080, host: '0.0.0.0', maxBodyBytes: 4_194_304, maxTimeoutMs: 30_000, services: null, emitZeroValues: true, trustedProxies: [], policies: NO_POLICIES,
  });
});

test('mistakes are file:line:col lines, all of them, with did-you-mean', async () => {
  const path = await descriptor('[gateway]\nprot: 1\nmax_body: "lots"\n\n[cors]\nallow_origins: ["*"]\nallow_orgin: ["*"]\n[gatway]\n');
  const lines = problems(path);
  const name = path.slice(dir.length + 1);
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.match(lines[0]!, new RegExp(`^${name}:2:1: .*"prot".*did you mean "port"`));
  assert.match(lines[1]!, new RegExp(`^${name}:3:11: .*is not a size`));
  assert.match(lines[2]!, new RegExp(`^${name}:7:1: .*"allow_orgin".*did you mean "allow_origins"`));
  assert.match(lines[3]!, new RegExp(`^${name}:8:2: unknown section \\[gatway\\] \\(did you mean \\[gateway\\]\\?\\)`));
});

test('a syntax error and a bad @env value are located too', async () => {
  assert.match(problems(await descriptor('[gateway]\nport: \n'))[0]!, /:2:\d+: /);
  const path = await descriptor('[gateway]\nport: @env("GATEWAY_PORT", 8080)\n');
  assert.throws(() => loadGatewayConfig(path, { GATEWAY_PORT: 'http' }, dir), /:2:7: \[gateway\] port: GATEWAY_PORT="http" is not/);
});

test('the edge policy sections: [cors], [rate_limit] with @env, [methods] overrides, [auth], trusted_proxies', async () => {
  const path = await descriptor([
    '[gateway]', 'trusted_proxies: ["10.0.0.0/8", "::1"]', '',
    '[cors]', 'allow_origins: ["https://app.example.com"]', 'allow_methods: ["GET", "POST", "PUT", "DELETE"]', 'allow_headers: ["authorization", "content-type"]', 'allow_credentials: true', 'max_age: "10m"', '',
    '[rate_limit]', 'requests: 1000', 'window: "1m"', 'key: "ip"', 'store: "redis"', 'redis_url: @env("TUSK_REDIS_URL", "redis://127.0.0.1:6379")', '',
    '[auth]', 'api_keys { file: "keys.json" }', 'default_scopes: ["catalog:read"]', '',
    '[methods]', 'Reserve { rate_limit { requests: 10, window: "1s" } }', 'Ping { public: true }', '',
  ].join('\n'));
  const settings = loadGatewayConfig(path, { TUSK_REDIS_URL: 'redis://:pw@10.1.1.1:6380' }, dir, undefined, ['Reserve', 'Ping']);
  assert.deepEqual(settings.trustedProxies, ['10.0.0.0/8', '::1']);
  assert.deepEqual(settings.policies.cors, {
    allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST', 'PUT', 'DELETE'], allowHeaders: ['authorization', 'content-type'],
    exposeHeaders: settings.policies.cors!.exposeHeaders, allowCredentials: true, maxAgeMs: 600_000,
  });
  assert.ok(settings.policies.cors!.exposeHeaders.includes('ratelimit-remaining'));
  assert.deepEqual(settings.policies.rateLimit, { requests: 1000, windowMs: 60_000, key: 'ip', store: 'redis', redisUrl: 'redis://:pw@10.1.1.1:6380' });
  assert.deepEqual(settings.policies.auth?.apiKeys, { file: 'keys.json' });
  assert.deepEqual(settings.policies.auth?.defaultScopes, ['catalog:read']);
  assert.deepEqual(settings.policies.methods.Reserve?.rateLimit, { requests: 10, windowMs: 1000 });
  assert.equal(settings.policies.methods.Ping?.public, true);
});

test('edge policy mistakes are located: unknown method, bad proxy, bad origin, partial seconds, mtls, a hidden redis_url', async () => {
  const path = await descriptor([
    '[gateway]', 'trusted_proxies: ["10.0.0.0/33"]', '',
    '[cors]', 'allow_origins: ["app.example.com"]', '',
    '[rate_limit]', 'requests: 5', 'window: "1500ms"', 'redis_url: "http://secret@host"', '',
    '[auth]', 'mtls { scopes: [] }', '',
    '[methods]', 'Reserv { rate_limit { requests: 1, window: "1s" } }', '',
  ].join('\n'));
  const lines = problems2(path, ['Reserve']);
  const text = lines.join('\n');
  assert.equal(lines.length, 6, text);
  assert.match(text, /:2:\d+: .*"10\.0\.0\.0\/33" is not an IP address or a CIDR block/);
  assert.match(text, /:5:\d+: .*is not an origin/);
  assert.match(text, /:9:\d+: .*is not a whole number of seconds/);
  assert.match(text, /:10:\d+: .*the value is not a redis:\/\//);
  assert.doesNotMatch(text, /secret/);
  assert.match(text, /:13:1: \[auth\] mtls is not available at the gateway/);
  assert.match(text, /:16:1: unknown method "Reserv" in \[methods\].*did you mean "Reserve"/);
});

function problems2(path: string, methods: readonly string[]): string[] {
  try {
    loadGatewayConfig(path, {}, dir, undefined, methods);
  } catch (error) {
    assert.ok(error instanceof GatewayConfigError, String(error));
    return [...error.lines];
  }
  assert.fail('expected the descriptor to be refused');
}
