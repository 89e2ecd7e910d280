// A foreign client: Python's grpcio (Debian's python3-grpcio) calls the
// example order service, which calls the user service. It reads int64 values
// above 2^53 exactly, and the field violations of a TuskError from the
// standard grpc-status-details-bin trailer, as grpcio-status or Go would.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, runCommand } from '../generator/cli-harness.js';
import { startShopServers, type ShopServers } from './shop-servers.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python_client.py', import.meta.url));
const BUF = join(REPO_ROOT, 'node_modules', '@bufbuild', 'buf', 'bin', 'buf');
const GOOGLE_PROTOS = join(REPO_ROOT, 'node_modules', 'google-proto-files');

let shop: ShopServers;
let workDir: string;
let descriptorSets: string[];

async function buf(args: readonly string[]): Promise<void> {
  const result = await runCommand(process.execPath, [BUF, ...args], REPO_ROOT, 60_000);
  assert.equal(result.code, 0, result.stderr);
}

async function python(command: string, argument: string): Promise<Record<string, unknown>> {
  const result = await runCommand(PYTHON, [SCRIPT, shop.orderAddress, command, argument, ...descriptorSets], REPO_ROOT, 30_000);
  assert.equal(result.code, 0, `python exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'tusk-interop-'));
  // The Python side knows the messages only from descriptor sets, as any foreign client would.
  descriptorSets = [join(workDir, 'shop.binpb'), join(workDir, 'rpc.binpb')];
  await buf(['build', 'proto', '-o', descriptorSets[0]!]);
  await buf(['build', GOOGLE_PROTOS, '--path', join(GOOGLE_PROTOS, 'google/rpc/status.proto'), '--path', join(GOOGLE_PROTOS, 'google/rpc/error_details.proto'), '-o', descriptorSets[1]!]);
  shop = await startShopServers();
});

after(async () => {
  await shop?.close();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

test('an int64 of 2^60 from Python arrives exactly, and the computed 3 * 2^60 comes back exactly', async () => {
  const { user } = await shop.users.createUser({ name: 'Big Spender', email: 'big@example.com' });
  const result = await python('int64', user!.id);
  assert.deepEqual(result, { unit_price_cents: String(2n ** 60n), total_cents: String(3n * 2n ** 60n) });
});

test('Python reads the field violations of a TuskError as a google.rpc.BadRequest in grpc-status-details-bin', async () => {
  const result = await python('violations', '-');
  assert.equal(result.code, 'INVALID_ARGUMENT');
  assert.equal(result.message, 'invalid order');
  assert.equal(result.status_code, 3);
  assert.equal(result.status_message, 'invalid order');
  assert.deepEqual(result.details, [
    {
      type: 'google.rpc.BadRequest',
      field_violations: [
        { field: 'user_id', description: 'must not be empty' },
        { field: 'items', description: 'must hold at least one item' },
      ],
    },
  ]);
});
