// Health and reflection keep working over mTLS for a foreign client: Debian's python3-grpcio.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, runCommand } from '../generator/cli-harness.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { UserService } from '../../../examples/user-service/user-service.js';
import { captureLogger, type LogLine } from '../../helpers/server-test-server.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./tls_python_client.py', import.meta.url));

let pki: TestPki;
let server: TuskServer;
const logs: LogLine[] = [];

before(async () => {
  pki = await makeTestPki();
  // The example user service, secured by the contract variables alone.
  const env = { ...process.env, TUSK_TLS_CERT: pki.server.cert, TUSK_TLS_KEY: pki.server.key, TUSK_TLS_CA: pki.ca.cert, TUSK_TLS_CLIENT_AUTH: 'require' };
  server = new TuskServer({ host: '127.0.0.1', port: 0, env, registry: new StaticRegistry([]), handleSignals: false, logger: captureLogger(logs) });
  server.add(new UserService());
  await server.start();
});
after(async () => {
  await server?.stop();
  await pki?.destroy();
});

test('python grpcio with ssl_channel_credentials(root, key, chain) checks health and lists services; without a certificate it is refused', async () => {
  const result = await runCommand(PYTHON, [SCRIPT, `127.0.0.1:${server.port}`, pki.ca.cert, pki.client.cert, pki.client.key], REPO_ROOT, 30_000);
  assert.equal(result.code, 0, `python exited ${result.code}: ${result.stderr}`);
  const output = JSON.parse(result.stdout) as { health: string; services: string[]; without_certificate: string };
  assert.equal(output.health, 'SERVING');
  assert.ok(output.services.includes('grpc.health.v1.Health'), output.services.join(', '));
  assert.ok(output.services.includes('user.v1.UserService'), output.services.join(', '));
  assert.equal(output.without_certificate, 'UNAVAILABLE');
});
