import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GeneratorError } from './errors.js';
import { ownPackage } from './own-package.js';

/**
 * ts-proto settings that make its output strict, ESM (NodeNext) TypeScript.
 * Messages only: the runtime uses just `X.encode/decode`, and ts-proto's
 * grpc-js client class would collide with our `<Svc>Client` interface.
 * 64-bit integers are bigint, so values above 2^53 round-trip exactly.
 * buf.gen.yaml (this repository's, and the one `tusk-grpc init` writes) must
 * say the same; a test holds them together.
 */
export const TS_PROTO_OPTIONS: readonly string[] = ['esModuleInterop=true', 'importSuffix=.js', 'outputServices=none', 'forceLong=bigint', 'env=node'];

/** protoc-gen-tusk's output settings (protoplugin's own options): TypeScript importing with .js, as NodeNext wants. */
export const TUSK_PLUGIN_OPTIONS: readonly string[] = ['target=ts', 'import_extension=js'];

/**
 * The programs `generate` runs, resolved from tusk-grpc's own dependencies so
 * they are found both in this repository and when tusk-grpc is installed into
 * someone else's project. Each is a command line: node plus a script.
 */
export interface Toolchain {
  readonly buf: readonly string[];
  readonly tsProtoPlugin: readonly string[];
  readonly tuskPlugin: readonly string[];
}

const requireFromHere = createRequire(import.meta.url);

/**
 * What `generate` runs: buf, ts-proto, and protoc-gen-tusk's own imports.
 * They are not dependencies of tusk-grpc but devDependencies of the user's
 * project (`init` adds them), so a production install leaves them out. (As
 * optional peers they would not be: npm keeps those under --omit=dev.)
 */
export const GENERATOR_PACKAGES: readonly string[] = ['@bufbuild/buf', 'ts-proto', '@bufbuild/protoplugin', 'yaml'];

/** Where Node would find the package from here; by folder, since not every package exports its package.json. */
function packageDir(name: string): string | undefined {
  const folders = requireFromHere.resolve.paths(name) ?? [];
  return folders.map((folder) => join(folder, name)).find((dir) => existsSync(join(dir, 'package.json')));
}

/** `npm install -D` arguments for packages at the versions this tusk-grpc was built with. */
export function installArguments(names: readonly string[]): string[] {
  const { devDependencies } = ownPackage();
  return names.map((name) => (devDependencies[name] ? `${name}@${devDependencies[name]}` : name));
}

export function resolveToolchain(): Toolchain {
  const missing = GENERATOR_PACKAGES.filter((name) => packageDir(name) === undefined);
  if (missing.length > 0) {
    throw GeneratorError.onCommandLine(
      `the code generator needs ${missing.join(', ')} as devDependencies: npm install -D ${installArguments(missing).join(' ')}`,
    );
  }
  // The npm package's launcher picks the platform binary; running it through
  // node avoids depending on the executable bit surviving npm pack/install.
  const buf = join(packageDir('@bufbuild/buf')!, 'bin', 'buf');
  const tsProto = join(packageDir('ts-proto')!, 'protoc-gen-ts_proto');
  const tusk = fileURLToPath(new URL('./protoc-gen-tusk.js', import.meta.url));
  if (!existsSync(tusk)) {
    throw new Error(`protoc-gen-tusk is not built (${tusk} is missing): run "npm run build" first`);
  }
  return {
    buf: [process.execPath, buf],
    tsProtoPlugin: [process.execPath, tsProto],
    tuskPlugin: [process.execPath, tusk],
  };
}
