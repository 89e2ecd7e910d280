import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  defineService, effectiveClientConfig, resolveServiceConfig, type RawDescriptor, type ServiceDescriptor,
} from '../../../src/config/index.js';
import { stubMethods } from '../../helpers/stub-methods.js';
import { OneLineError } from '../../../src/status/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tusk-load-descriptor-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
/** A descriptor as generated code defines it: embedded config, and the .tsk it was generated from (written here when `text` is given). */
function generated(embedded: RawDescriptor, text: string | undefined, methods: readonly string[] = ['GetThing', 'CreateThing']): { descriptor: ServiceDescriptor; shown: string } {
  const name = `load.v1.Service${++counter}`;
  const path = join(dir, `s${counter}.tsk`);
  if (text !== undefined) writeFileSync(path, text);
  const descriptor = defineService({
    name, protoFile: `load/v1/s${counter}.proto`, descriptorFile: `load/v1/s${counter}.tsk`, descriptorSource: pathToFileURL(path),
    methods: stubMethods(name, methods), config: embedded,
  });
  // Shown relative to the working folder when inside it, else absolute (this folder is outside).
  const inside = relative(process.cwd(), path);
  return { descriptor, shown: inside.startsWith('..') ? path : inside };
}

function assertOneLine(run: () => unknown, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof OneLineError, String(error));
    assert.equal(error.message, message);
    return true;
  });
}

test('the .tsk beside the recorded source wins over the values embedded at generation', () => {
  const { descriptor, shown } = generated({ methods: { GetThing: { timeout: '500ms' } } }, '[methods]\nGetThing { timeout: "700ms" }\n');
  assert.equal(effectiveClientConfig(descriptor, {}, {}).methods.GetThing!.timeoutMs, 700);
  assert.equal(resolveServiceConfig(descriptor, {}).source, shown, 'messages name the file that was read');
});

test('without the .tsk on disk the embedded values apply', () => {
  const { descriptor } = generated({ methods: { GetThing: { timeout: '500ms' } } }, undefined);
  assert.equal(effectiveClientConfig(descriptor, {}, {}).methods.GetThing!.timeoutMs, 500);
  assert.equal(resolveServiceConfig(descriptor, {}).source, descriptor.descriptorFile);
});

test('a caller\'s changed [dependencies] entry applies without regenerating anything', () => {
  const target = generated({}, undefined).descriptor;
  const { descriptor: caller } = generated(
    { dependencies: { dep: { service: target.name, timeout: '800ms' } } },
    `[dependencies]\ndep { service: "${target.name}", timeout: "900ms" }\n`, [],
  );
  assert.equal(effectiveClientConfig(target, { caller }, {}).methods.GetThing!.timeoutMs, 900);
});

test('a .tsk with a syntax or schema error is one positioned line, as at generation', () => {
  const broken = generated({}, '[client]\ntimeout: 2s\n');
  assertOneLine(() => resolveServiceConfig(broken.descriptor, {}), `${broken.shown}:2:10: invalid number "2s" (strings, durations included, must be quoted)`);
  const invalid = generated({}, '[client]\ntimeout: "soon"\nbalancer: "p2c"\n');
  assertOneLine(() => resolveServiceConfig(invalid.descriptor, {}),
    `${invalid.shown}:2:10: [client] timeout: "soon" is not a duration (use a number with a unit: "250ms", "5s", "1.5s", "1m", "1m30s", "1h") (and 1 more problem: npx tusk-grpc check lists them)`);
});

test('a .tsk naming a method the generated code lacks says to regenerate', () => {
  const { descriptor, shown } = generated({}, '[methods]\nGetThing { timeout: "1s" }\nDeleteThing { timeout: "1s" }\n');
  assertOneLine(() => resolveServiceConfig(descriptor, {}),
    `${shown}:3:1: unknown method "DeleteThing" in [methods]; the generated code of ${descriptor.name} has GetThing, CreateThing: regenerate after changing the proto`);
});

test('an unknown method in a caller\'s [dependencies] entry read from disk is positioned at load time', () => {
  const target = generated({}, undefined).descriptor;
  const { descriptor: caller, shown } = generated({}, `[dependencies]\ndep {\n  service: "${target.name}"\n  methods { GetThnig { timeout: "1s" } }\n}\n`, []);
  assertOneLine(() => effectiveClientConfig(target, { caller }, {}),
    `${shown}:4:13: [dependencies] dep.methods: unknown method "GetThnig" of ${target.name} (did you mean "GetThing"?)`);
});

test('an unset @env without default in a .tsk read from disk points at the @env', () => {
  const { descriptor, shown } = generated({}, '[service]\nversion: "1"\nport: @env("LOAD_TEST_PORT")\n');
  assertOneLine(() => resolveServiceConfig(descriptor, {}),
    `${shown}:3:7: [service] port: @env("LOAD_TEST_PORT") has no default and LOAD_TEST_PORT is not set: set LOAD_TEST_PORT, or write @env("LOAD_TEST_PORT", default) (null leaves the key unset)`);
});

test('generated code compiled to another folder (tsc outDir) still finds the .tsk above it, up to the package.json', () => {
  // The generator recorded ../../../proto/load/v1/x.tsk from gen/load/v1/; compiled to dist/gen/load/v1/ that points into dist/.
  const project = join(dir, `project${++counter}`);
  mkdirSync(join(project, 'proto', 'load', 'v1'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{}');
  writeFileSync(join(project, 'proto', 'load', 'v1', 'x.tsk'), '[methods]\nGetThing { timeout: "700ms" }\n');
  const compiled = (name: string, module: string): ServiceDescriptor => defineService({
    name, protoFile: 'load/v1/x.proto', descriptorFile: 'load/v1/x.tsk',
    descriptorSource: new URL('../../../proto/load/v1/x.tsk', pathToFileURL(module)), generatedModule: pathToFileURL(module).href,
    methods: stubMethods(name, ['GetThing']), config: { methods: { GetThing: { timeout: '500ms' } } },
  });
  const inDist = compiled(`load.v1.Compiled${counter}`, join(project, 'dist', 'gen', 'load', 'v1', 'x.tusk.js'));
  assert.equal(effectiveClientConfig(inDist, {}, {}).methods.GetThing!.timeoutMs, 700, 'the .tsk beside the project is read, not the embedded value');
  assert.equal(resolveServiceConfig(inDist, {}).source, join(project, 'proto', 'load', 'v1', 'x.tsk'));
  // A package of its own below the project (its own package.json) does not look past its root.
  mkdirSync(join(project, 'vendor', 'pkg'), { recursive: true });
  writeFileSync(join(project, 'vendor', 'pkg', 'package.json'), '{}');
  const vendored = compiled(`load.v1.Vendored${counter}`, join(project, 'vendor', 'pkg', 'dist', 'gen', 'load', 'v1', 'x.tusk.js'));
  assert.equal(effectiveClientConfig(vendored, {}, {}).methods.GetThing!.timeoutMs, 500, 'embedded values when the package has no sources');
});

test('a recorded .tsk that cannot be read is one line naming it, not a stack', () => {
  const { descriptor, shown } = generated({}, undefined);
  mkdirSync(fileURLToPath(descriptor.descriptorSource!)); // a folder where the .tsk was: readFileSync fails with EISDIR
  assert.throws(() => resolveServiceConfig(descriptor, {}), (error: unknown) => {
    assert.ok(error instanceof OneLineError, String(error));
    assert.match(error.message, new RegExp(`^${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the descriptor: EISDIR\\b`));
    return true;
  });
});

test('a [dependencies] service misspelt in a .tsk edited after generation is an error when it would have applied', () => {
  // generate rejects an unknown target; the .tsk read at load time must not silently drop the entry instead.
  const target = generated({}, undefined).descriptor;
  const typo = target.name.replace('Service', 'Servcie');
  const { descriptor: caller, shown } = generated(
    { dependencies: { dep: { service: target.name, timeout: '800ms' } } },
    `[dependencies]\ndep {\n  service: "${typo}"\n  timeout: "900ms"\n}\n`, [],
  );
  assertOneLine(() => effectiveClientConfig(target, { caller }, {}),
    `${shown}:3:3: [dependencies] dep: unknown service ${JSON.stringify(typo)} (did you mean ${JSON.stringify(target.name)}?)`);
  // A near name that generate knew (embedded) or that this process defines is another service, not a typo.
  const sibling = generated({}, undefined).descriptor;
  const { descriptor: known } = generated(
    { dependencies: { v2: { service: `${target.name}0` } } }, `[dependencies]\nv2 { service: "${target.name}0" }\nother { service: "${sibling.name}" }\n`, [],
  );
  assert.equal(effectiveClientConfig(target, { caller: known }, {}).methods.GetThing!.timeoutMs, 2000);
});
