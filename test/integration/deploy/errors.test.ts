// Bad input to `tusk-grpc deploy`: a descriptor missing what a Deployment needs
// fails with `file:line:col: message`, exit 1, and nothing is written (a
// previous output folder stays exactly as it was).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { LOCATED_LINE, WHOLE_FILE_LINE, errorLines, removeDir, snapshotTree } from '../generator/cli-harness.js';
import { copyExamplesWorkspace, runDeployCli } from './deploy-harness.js';

const USER_TSK = join('proto', 'user', 'v1', 'user.tsk');
const ORDER_TSK = join('proto', 'order', 'v1', 'order.tsk');

let dir = '';
const originals = new Map<string, string>();
let previous: Map<string, Buffer>;

before(async () => {
  dir = await copyExamplesWorkspace();
  for (const file of [USER_TSK, ORDER_TSK]) originals.set(file, await readFile(join(dir, file), 'utf8'));
  const first = await runDeployCli(dir, '--out', 'previous');
  assert.equal(first.code, 0, first.stderr);
  previous = await snapshotTree(join(dir, 'previous'));
});

beforeEach(async () => {
  for (const [file, text] of originals) await writeFile(join(dir, file), text);
});

after(async () => {
  if (dir) await removeDir(dir);
});

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = originals.get(file)!;
  assert.ok(text.includes(from), `${file} holds ${JSON.stringify(from)}`);
  await writeFile(join(dir, file), text.replace(from, to));
}

/** Runs deploy into a fresh folder and into the previous one; both must be refused, writing nothing. */
async function refused(...args: string[]): Promise<string[]> {
  const fresh = await runDeployCli(dir, '--out', 'fresh', ...args);
  assert.equal(fresh.code, 1, `exit 1 expected:\n${fresh.stdout}${fresh.stderr}`);
  assert.equal(existsSync(join(dir, 'fresh')), false, 'nothing written');
  const again = await runDeployCli(dir, '--out', 'previous', ...args);
  assert.equal(again.code, 1, again.stderr);
  const now = await snapshotTree(join(dir, 'previous'));
  assert.deepEqual([...now.keys()], [...previous.keys()]);
  for (const [file, bytes] of now) assert.ok(bytes.equals(previous.get(file)!), `previous/${file} changed`);
  const stray = (await snapshotTree(dir)).keys();
  assert.ok(![...stray].some((file) => file.includes('.staging-')), 'no staging folder left behind');
  return errorLines(fresh.stderr);
}

function located(line: string): { file: string; line: number; column: number; message: string } {
  const match = LOCATED_LINE.exec(line);
  assert.ok(match?.groups, `not file:line:col: ${line}`);
  return { file: match.groups.file!, line: Number(match.groups.line), column: Number(match.groups.column), message: match.groups.message! };
}

test('a service port of 0 (any free port) without [deploy] port points at [service] port', async () => {
  await edit(USER_TSK, 'port: 50051                            # given to the process as USER_PORT\n', '');
  const [line, ...rest] = await refused();
  assert.equal(rest.length, 0, rest.join('\n'));
  const issue = located(line!);
  assert.equal(issue.file, USER_TSK);
  assert.equal(issue.line, originals.get(USER_TSK)!.split('\n').findIndex((text) => text.startsWith('port: @env("USER_PORT"')) + 1);
  assert.equal(issue.column, 1);
  assert.match(issue.message, /a Deployment needs a fixed gRPC port.*set \[deploy\] port \(given to the process as USER_PORT\)/);
});

test('no image anywhere points at [deploy]; --image supplies it', async () => {
  await edit(USER_TSK, 'image: "ghcr.io/acme/user-service:1.0.0"\n', '');
  const [line] = await refused();
  const issue = located(line!);
  assert.equal(issue.line, originals.get(USER_TSK)!.split('\n').indexOf('[deploy]') + 1);
  assert.match(issue.message, /no container image: set \[deploy\] image, or pass --image/);
  const fixed = await runDeployCli(dir, '--out', 'with-image', '--image', 'registry.example/{name}:2.0.0');
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.match(await readFile(join(dir, 'with-image', 'user-service', 'deployment.yaml'), 'utf8'), /image: registry\.example\/user-service:2\.0\.0/);
});

test('a bad [deploy] value is a schema error at the value, like any other section', async () => {
  await edit(USER_TSK, 'cpu_request: "100m"', 'cpu_request: "lots"');
  const [line] = await refused();
  const issue = located(line!);
  assert.match(issue.message, /cpu_request.*not a Kubernetes quantity/);
});

test('in the mesh, a caller whose retries would multiply with Istio\'s is told where and what to write', async () => {
  await edit(ORDER_TSK, 'max_attempts: @env("USERS_MAX_ATTEMPTS", 3)', 'max_attempts: 3');
  const [line, ...rest] = await refused('--mesh', 'istio');
  assert.equal(rest.length, 0, rest.join('\n'));
  const issue = located(line!);
  assert.equal(issue.file, ORDER_TSK);
  assert.match(issue.message, /would retry each of those tries too \(3 attempts\): write retry \{ max_attempts: @env\("USERS_MAX_ATTEMPTS", 3\) \}/);
  // Without a mesh nobody else retries: the same descriptor deploys.
  const plain = await runDeployCli(dir, '--out', 'plain');
  assert.equal(plain.code, 0, plain.stderr);
});

test('command-line mistakes name the option', async () => {
  const [mesh] = await refused('--mesh', 'linkerd');
  assert.match(mesh!, /^tusk-grpc: --mesh "linkerd" is not supported/);
  const [image] = await refused('--image', 'registry.example/shop:1.0.0');
  assert.match(image!, /^tusk-grpc: --image registry\.example\/shop:1\.0\.0 would give 4 services one image: write \{name\}/);
  const [namespace] = await refused('--namespace', 'Shop_Prod');
  assert.ok(WHOLE_FILE_LINE.test(namespace!), namespace);
  assert.match(namespace!, /is not a Kubernetes namespace name/);
});

test('a TLS-only server without a metrics port cannot be probed: the error points at tls_secret', async () => {
  await edit(USER_TSK, 'image: "ghcr.io/acme/user-service:1.0.0"\n', 'image: "ghcr.io/acme/user-service:1.0.0"\ntls_secret: "user-service-tls"\n');
  const [line] = await refused();
  const issue = located(line!);
  assert.equal(issue.line, originals.get(USER_TSK)!.split('\n').indexOf('[deploy]') + 3);
  assert.match(issue.message, /cannot be probed by the kubelet's gRPC probe.*set \[telemetry\] metrics_port/);
});

test('a variable deploy sets that [deploy] env sets otherwise is a conflict at the env entry, never a silent pick', async () => {
  await edit(ORDER_TSK, 'allow_from: ["istio-system/istio-ingressgateway-service-account"]', 'allow_from: ["istio-system/istio-ingressgateway-service-account"]\nenv { USERS_MAX_ATTEMPTS: 2 }');
  const [line] = await refused('--mesh', 'istio');
  const issue = located(line!);
  assert.equal(issue.file, ORDER_TSK);
  assert.match(issue.message, /USERS_MAX_ATTEMPTS would be both "1" and "2" in the pods of order-service/);
});
