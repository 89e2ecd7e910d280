// Golden tests: `tusk-grpc deploy` over the examples' descriptors (proto/user, proto/notification,
// proto/order), with and without --mesh istio, must match test/golden/deploy
// byte for byte. Refresh after an intended change with:
// UPDATE_GOLDEN=1 npm run test:one -- test/integration/deploy/golden.test.ts
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, removeDir, snapshotTree, compareWithGoldenFiles } from '../generator/cli-harness.js';
import { copyExamplesWorkspace, runDeployCli } from './deploy-harness.js';

const GOLDEN = join(REPO_ROOT, 'test', 'golden', 'deploy');

async function compareWithGolden(variant: string, outDir: string): Promise<void> {
  const tree = await snapshotTree(outDir);
  const expected: [string, string][] = [['files.txt', `${[...tree.keys()].join('\n')}\n`], ...[...tree].map(([file, bytes]): [string, string] => [file, bytes.toString('utf8')])];
  await compareWithGoldenFiles(join(GOLDEN, variant), variant, expected);
}

const VARIANTS: readonly [string, readonly string[]][] = [
  ['plain', []],
  ['istio', ['--mesh', 'istio', '--namespace', 'shop']],
];

describe('deploy over the examples', () => {
  let dir = '';
  before(async () => {
    dir = await copyExamplesWorkspace();
  });
  after(async () => {
    if (dir) await removeDir(dir);
  });

  for (const [variant, args] of VARIANTS) {
    test(`matches the golden files (${variant})`, async () => {
      const result = await runDeployCli(dir, '--out', `out-${variant}`, ...args);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^wrote \d+ files for 4 services into out-/);
      await compareWithGolden(variant, join(dir, `out-${variant}`));
    });
  }

  test('is deterministic: the same command again gives a byte-identical tree', async () => {
    const first = await snapshotTree(join(dir, 'out-istio'));
    const result = await runDeployCli(dir, '--out', 'out-istio', '--mesh', 'istio', '--namespace', 'shop');
    assert.equal(result.code, 0, result.stderr);
    const second = await snapshotTree(join(dir, 'out-istio'));
    assert.deepEqual([...second.keys()], [...first.keys()]);
    for (const [file, bytes] of second) assert.ok(bytes.equals(first.get(file)!), `${file} differs between runs`);
  });

  test('a second run replaces the folder it wrote (every file carries the generated mark)', async () => {
    const first = await runDeployCli(dir, '--out', 'rerun');
    assert.equal(first.code, 0, first.stderr);
    const second = await runDeployCli(dir, '--out', 'rerun', '--mesh', 'istio');
    assert.equal(second.code, 0, second.stderr);
    assert.ok((await snapshotTree(join(dir, 'rerun'))).has('user-service/virtualservice.yaml'));
  });
});
