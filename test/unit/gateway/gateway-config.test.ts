import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GatewayConfigError, loadGatewayConfig } from '../../../src/gateway/gateway-config.js';

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
  });
});

test('an empty descriptor is all defaults', async () => {
  assert.deepEqual(loadGatewayConfig(await descriptor(''), {}, dir), { port: 8080, host: '0.0.0.0', maxBodyBytes: 4_194_304, maxTimeoutMs: 30_000, services: null, emitZeroValues: true });
});

test('mistakes are file:line:col lines, all of them, with did-you-mean', async () => {
  const path = await descriptor('[gateway]\nprot: 1\nmax_body: "lots"\n\n[cors]\nallow_origins: ["*"]\n\n[gatway]\n');
  const lines = problems(path);
  const name = path.slice(dir.length + 1);
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.match(lines[0]!, new RegExp(`^${name}:2:1: .*"prot".*did you mean "port"`));
  assert.match(lines[1]!, new RegExp(`^${name}:3:11: .*is not a size`));
  assert.match(lines[2]!, new RegExp(`^${name}:5:2: \\[cors\\] is not supported by this version`));
  assert.match(lines[3]!, new RegExp(`^${name}:8:2: unknown section \\[gatway\\] \\(did you mean \\[gateway\\]\\?\\)`));
});

test('a syntax error and a bad @env value are located too', async () => {
  assert.match(problems(await descriptor('[gateway]\nport: \n'))[0]!, /:2:\d+: /);
  const path = await descriptor('[gateway]\nport: @env("GATEWAY_PORT", 8080)\n');
  assert.throws(() => loadGatewayConfig(path, { GATEWAY_PORT: 'http' }, dir), /:2:7: \[gateway\] port: GATEWAY_PORT="http" is not/);
});
