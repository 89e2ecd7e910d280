// Compile test: code generated from the "unseen" tree (imports across
// packages, nested packages and messages, every streaming kind, WKT, enums,
// oneofs, names that clash with the runtime, two services in one file) plus a
// consumer written against DESIGN.md's API must type-check under strict
// settings, with 'tusk-grpc' resolved to this repository's built package.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FIXTURES, TSC, copyFixture, makeConsumerProject, removeDir, runCli, runCommand } from './cli-harness.js';

let dir = '';
before(async () => {
  dir = await copyFixture('unseen');
  await makeConsumerProject(dir);
});
after(async () => {
  await removeDir(dir);
});

test('a strict consumer of every generated base and client type-checks', async () => {
  const generated = await runCli(['generate'], dir);
  assert.equal(generated.code, 0, generated.stderr);
  await mkdir(join(dir, 'src'));
  await copyFile(join(FIXTURES, 'unseen-consumer.ts.txt'), join(dir, 'src', 'consumer.ts'));
  const checked = await runCommand(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], dir, 120_000);
  assert.equal(checked.code, 0, `tsc failed:\n${checked.stdout}${checked.stderr}`);
});

test('the consumer check is real: a wrong signature in an implementation fails to compile', async () => {
  const broken = join(dir, 'src', 'broken.ts');
  await writeFile(
    broken,
    `import type { CallContext } from 'tusk-grpc';
import { PaymentServiceBase } from '../gen/acme/platform/billing/v2/payments.tusk.js';
import type { PayRequest } from '../gen/acme/platform/billing/v2/payments.js';
export class Wrong extends PaymentServiceBase {
  async pay(request: PayRequest, _ctx: CallContext): Promise<PayRequest> { return request; }
  async *watchPayments(): AsyncIterable<never> {}
}
`,
  );
  const checked = await runCommand(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], dir, 120_000);
  assert.notEqual(checked.code, 0);
  assert.match(checked.stdout, /src\/broken\.ts\(\d+,\d+\): error TS\d+/);
  await removeDir(broken);
});

test('compiled to dist/, the generated code still reads the .tsk it was generated from', async () => {
  // tsc's outDir moves the generated module one folder down; its recorded source then points into dist/.
  const emitted = await runCommand(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false', '--noEmit', 'false', '--outDir', 'dist', '--rootDir', '.'], dir, 120_000);
  assert.equal(emitted.code, 0, `tsc failed:\n${emitted.stdout}${emitted.stderr}`);
  const tsk = join(dir, 'protos', 'acme', 'platform', 'billing', 'v2', 'invoices.tsk');
  await writeFile(tsk, (await readFile(tsk, 'utf8')).replace('Negotiate { timeout: "30s" }', 'Negotiate { timeout: "45s" }'));
  await writeFile(join(dir, 'check.mjs'), [
    "import { effectiveClientConfig, resolveServiceConfig } from 'tusk-grpc';",
    "import { InvoiceServiceDescriptor } from './dist/gen/acme/platform/billing/v2/invoices.tusk.js';",
    'const config = effectiveClientConfig(InvoiceServiceDescriptor, {}, {});',
    'console.log(resolveServiceConfig(InvoiceServiceDescriptor, {}).source, config.methods.Negotiate.timeoutMs);',
    '',
  ].join('\n'));
  const run = await runCommand(process.execPath, ['check.mjs'], dir, 60_000);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'protos/acme/platform/billing/v2/invoices.tsk 45000\n', 'the edited .tsk applies without regenerating');
});
