// Issue 12: Debian's python3-grpcio (grpc-core underneath) as a client of the
// lean transport: unary, a server stream, an error status with details, health
// and reflection, all over generic calls with JSON or hand-encoded messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, runCommand } from '../generator/cli-harness.js';
import { NON_ASCII_MESSAGE, startLeanServer, type LeanServerFixture } from './lean-server-fixture.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python_lean_client.py', import.meta.url));

let lean: LeanServerFixture;
before(async () => {
  lean = await startLeanServer();
});
after(() => lean.close());

test('python grpcio: unary, a server stream, an error with details, health and reflection on the lean transport', async () => {
  const run = await runCommand(PYTHON, [SCRIPT, lean.address], REPO_ROOT, 30_000);
  assert.equal(run.code, 0, `python exited ${run.code}: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.deepEqual(result.unary, { text: 'from python', instance: 'lean-1' });
  assert.deepEqual(result.stream, ['0', '1', '2']);
  assert.deepEqual(result.error, { code: 'FAILED_PRECONDITION', message: NON_ASCII_MESSAGE, has_details: true });
  assert.equal(result.health, '0801');
  // The test EchoService has no FileDescriptorSet, so reflection lists health only.
  assert.equal(result.reflection_lists_health, true);
});
