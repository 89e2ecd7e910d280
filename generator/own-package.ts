import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of tusk-grpc's own package.json the CLI reads. */
export interface OwnPackage {
  readonly version: string;
  /** The versions of the code generator's toolchain this tusk-grpc is built and tested with. */
  readonly devDependencies: Readonly<Record<string, string>>;
}

let cached: OwnPackage | undefined;

/** tusk-grpc's package.json, found above this file (generator/ from source, dist/generator/ when built). */
export function ownPackage(): OwnPackage {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !isOurs(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('tusk-grpc: cannot find its own package.json');
    dir = parent;
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Partial<OwnPackage>;
  cached = { version: manifest.version ?? '0.0.0', devDependencies: manifest.devDependencies ?? {} };
  return cached;
}

function isOurs(path: string): boolean {
  return (JSON.parse(readFileSync(path, 'utf8')) as { name?: string }).name === 'tusk-grpc';
}
