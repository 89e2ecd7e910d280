// buf.gen.yaml (this repository's, and the one `tusk-grpc init` writes) must
// run the plugins with the options `tusk-grpc generate` uses, or `buf
// generate` and `tusk-grpc generate` would quietly produce different code.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { BUF_GEN_YAML } from '../../../generator/init-templates.js';
import { TS_PROTO_OPTIONS, TUSK_PLUGIN_OPTIONS } from '../../../generator/toolchain.js';

interface PluginEntry {
  readonly local: string | string[];
  readonly out: string;
  readonly strategy?: string;
  readonly opt?: string[];
}

interface BufGenYaml {
  readonly version: string;
  readonly plugins: PluginEntry[];
}

function pluginRunning(template: BufGenYaml, program: string): PluginEntry {
  const matches = template.plugins.filter((plugin) => [plugin.local].flat().some((part) => part.includes(program)));
  assert.equal(matches.length, 1, `expected one plugin entry running ${program}`);
  return matches[0]!;
}

const templates: [string, () => Promise<string>][] = [
  ['the top-level buf.gen.yaml', () => readFile(new URL('../../../buf.gen.yaml', import.meta.url), 'utf8')],
  ['the buf.gen.yaml tusk-grpc init writes', async () => BUF_GEN_YAML],
];

for (const [name, load] of templates) {
  test(`${name} runs ts-proto with exactly TS_PROTO_OPTIONS and protoc-gen-tusk with TUSK_PLUGIN_OPTIONS`, async () => {
    const template = parse(await load()) as BufGenYaml;
    assert.equal(template.version, 'v2');
    assert.equal(template.plugins.length, 2);
    const tsProto = pluginRunning(template, 'protoc-gen-ts_proto');
    assert.deepEqual(tsProto.opt, [...TS_PROTO_OPTIONS]);
    const tusk = pluginRunning(template, 'protoc-gen-tusk');
    assert.deepEqual(tusk.opt, [...TUSK_PLUGIN_OPTIONS, 'module=proto']);
    for (const plugin of [tsProto, tusk]) {
      assert.equal(plugin.out, 'gen');
      assert.equal(plugin.strategy, 'all', 'one plugin run over all files, as tusk-grpc generate does');
    }
  });
}

test('the header names tusk-grpc generate as the recommended entry', async () => {
  for (const [name, load] of templates) {
    const text = await load();
    assert.match(text, /^# [\s\S]*`npx tusk-grpc generate` is the recommended entry/, name);
    assert.match(text, /same as\n# `buf generate` with this file/, name);
  }
});

test('the template of the committed google.rpc status types runs ts-proto with TS_PROTO_OPTIONS too, never cleaning its output folder', async () => {
  const template = parse(await readFile(new URL('../../../src/status/google/buf.gen.yaml', import.meta.url), 'utf8')) as BufGenYaml & { clean?: boolean };
  const tsProto = pluginRunning(template, 'protoc-gen-ts_proto');
  assert.deepEqual(tsProto.opt, [...TS_PROTO_OPTIONS]);
  assert.equal(tsProto.out, 'src/status');
  assert.notEqual(template.clean, true, 'clean would delete the hand-written files of src/status');
});
