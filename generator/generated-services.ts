import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceDescriptor } from '../src/config/service-definition.js';
import { GeneratorError } from './errors.js';
import { listFiles } from './output.js';
import { displayPathFrom } from './project.js';

/**
 * The `<Svc>Descriptor`s of a generated folder, sorted by service name.
 * Compiled modules (`*.tusk.js`, e.g. tsc's outDir given as --out) are
 * imported as they are; TypeScript ones (`*.tusk.ts`, what generate writes)
 * through tsx's loader, resolved from the project, as `node --import tsx` would.
 */
export async function findGeneratedServices(outDir: string, cwd: string): Promise<ServiceDescriptor[]> {
  const shown = displayPathFrom(cwd)(outDir);
  const files = existsSync(outDir) ? await listFiles(outDir) : [];
  const compiled = files.filter((file) => file.endsWith('.tusk.js'));
  const source = files.filter((file) => file.endsWith('.tusk.ts'));
  const modules = compiled.length > 0 ? compiled : source;
  if (modules.length === 0) {
    throw GeneratorError.atFile(shown, 'no generated services found (no *.tusk.js or *.tusk.ts here): run "tusk-grpc generate" first, or pass --out <the folder generate wrote, or where it was compiled to>');
  }
  if (modules === source) await registerTypeScriptLoader(cwd, shown);
  const found = new Map<string, ServiceDescriptor>();
  for (const file of modules) {
    const exports = (await import(pathToFileURL(join(outDir, file)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (name.endsWith('Descriptor') && isServiceDescriptor(value)) found.set(value.name, value);
    }
  }
  if (found.size === 0) throw GeneratorError.atFile(shown, 'no generated services found: the *.tusk modules here export no <Service>Descriptor');
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function isServiceDescriptor(value: unknown): value is ServiceDescriptor {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<ServiceDescriptor>;
  return typeof candidate.name === 'string' && typeof candidate.protoFile === 'string' && typeof candidate.methods === 'object' && candidate.methods !== null;
}

/** What `node --import tsx` does: importing tsx's entry registers its loader hooks for the imports that follow. */
async function registerTypeScriptLoader(cwd: string, shown: string): Promise<void> {
  let entry: string;
  try {
    entry = createRequire(join(cwd, 'package.json')).resolve('tsx');
  } catch {
    throw GeneratorError.atFile(shown, 'the generated services are TypeScript (*.tusk.ts): install tsx in the project (npm i -D tsx) to serve them as they are, or compile them and pass --out <the compiled folder>');
  }
  await import(pathToFileURL(entry).href);
}
