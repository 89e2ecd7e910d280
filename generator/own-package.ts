import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of tusk-grpc's own package.json the CLI reads. */
export interface OwnPackage {
  /** The folder holding that package.json (the package root). */
  readonly dir: string;
  readonly version: string;
  /** The versions of the code generator's toolchain this tusk-grpc is built and tested with. */
  readonly devDependencies: Readonly<Record<string, string>>;
}

let cached: OwnPackage | undefined;

/** tusk-grpc's package.json, found above this file (generator/ from source, dist/generator/ when built). */
export function ownPackage(): OwnPackage {
  if (cached) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === 'tusk-grpc') {
      cached = { dir, version: manifest.version ?? '0.0.0', devDependencies: manifest.devDependencies ?? {} };
      return cached;
    }
    if (dirname(dir) === dir) throw new Error('tusk-grpc: cannot find its own package.json');
  }
}

function readManifest(path: string): (Partial<OwnPackage> & { name?: string }) | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<OwnPackage> & { name?: string }) : undefined;
}
