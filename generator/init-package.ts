import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DEPLOY_PACKAGES } from './deploy/validate.js';
import { GeneratorError } from './errors.js';
import { ownPackage } from './own-package.js';
import { GENERATOR_PACKAGES } from './toolchain.js';

/** The npm scripts `init` adds (never replacing one the project has). */
const INIT_SCRIPTS: Readonly<Record<string, string>> = {
  generate: 'tusk-grpc generate',
  build: 'tsc -p tsconfig.json',
  start: 'node dist/src/main.js',
};

/** What the scaffolded project needs at development time: the code generator's toolchain, deploy's manifest schemas, readable logs, TypeScript. */
const PROJECT_DEV_DEPENDENCIES: readonly string[] = [...GENERATOR_PACKAGES, ...DEPLOY_PACKAGES, 'pino-pretty', 'typescript', '@types/node'];

/** How `init` will change package.json, decided before anything is written. */
export interface PackagePlan {
  /** Already what we need: nothing to write. */
  readonly unchanged: boolean;
  /** Added devDependencies: `npm install` must run before `generate`. */
  readonly addedDevDependencies: readonly string[];
  readonly addedScripts: readonly string[];
  readonly setModuleType: boolean;
  write(): Promise<void>;
}

/**
 * Generated code and the runtime are ESM, so the project must be too. npm 11's
 * `npm init -y` writes `"type": "commonjs"`; that is switched to "module" as
 * long as the project has no JavaScript of its own whose meaning would change.
 * The code generator's toolchain goes into devDependencies, at the versions
 * this tusk-grpc is tested with, so production installs omit it.
 */
export async function planPackageJson(cwd: string): Promise<PackagePlan> {
  const path = join(cwd, 'package.json');
  const exists = existsSync(path);
  const text = exists ? await readFile(path, 'utf8') : '';
  let manifest: Record<string, unknown>;
  try {
    manifest = exists ? (JSON.parse(text) as Record<string, unknown>) : { name: packageName(cwd), version: '0.1.0', private: true };
  } catch {
    throw GeneratorError.atFile('package.json', 'is not valid JSON');
  }
  if (manifest.type !== undefined && manifest.type !== 'module') {
    const own = manifest.type === 'commonjs' ? await ownJavaScript(cwd) : [];
    if (manifest.type !== 'commonjs' || own.length > 0) {
      throw GeneratorError.atFile(
        'package.json',
        `"type" is ${JSON.stringify(manifest.type)}, but the generated code is ESM: run "npm pkg set type=module"` +
          (own.length > 0 ? ` (then ${own[0]}${own.length > 1 ? ` and ${own.length - 1} more .js` : ''} load as ES modules: rename CommonJS files to .cjs)` : ''),
      );
    }
  }
  const setModuleType = manifest.type !== 'module';
  const scripts = { ...(manifest.scripts as Record<string, string> | undefined) };
  const addedScripts = Object.keys(INIT_SCRIPTS).filter((name) => scripts[name] === undefined);
  for (const name of addedScripts) scripts[name] = INIT_SCRIPTS[name]!;
  const declared = { ...(manifest.dependencies as object | undefined), ...(manifest.devDependencies as object | undefined) };
  const versions = ownPackage().devDependencies;
  const addedDevDependencies = PROJECT_DEV_DEPENDENCIES.filter((name) => !(name in declared)).sort();
  const devDependencies = { ...(manifest.devDependencies as Record<string, string> | undefined) };
  for (const name of addedDevDependencies) devDependencies[name] = versions[name] ?? 'latest';
  const unchanged = exists && !setModuleType && addedScripts.length === 0 && addedDevDependencies.length === 0;
  const updated = { ...manifest, type: 'module', scripts, devDependencies: sortKeys(devDependencies) };
  const indent = /^[ \t]+/m.exec(text)?.[0] ?? '  ';
  return {
    unchanged,
    addedDevDependencies,
    addedScripts,
    setModuleType,
    write: async () => {
      if (!unchanged) await writeFile(path, `${JSON.stringify(updated, null, indent)}\n`);
    },
  };
}

function packageName(cwd: string): string {
  return basename(cwd).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'service';
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const NOT_OURS = new Set(['node_modules', 'dist', 'gen', 'build', 'coverage']);

/** The project's own .js files (not dependencies, build output or dot-folders), at most a few. */
async function ownJavaScript(cwd: string, limit = 20): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(join(cwd, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      if (found.length >= limit) return;
      const path = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !NOT_OURS.has(entry.name)) await walk(path);
      } else if (entry.isFile() && entry.name.endsWith('.js')) {
        found.push(path);
      }
    }
  };
  await walk('');
  return found;
}
