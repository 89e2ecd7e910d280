import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GeneratorError } from './errors.js';
import { planPackageJson, type PackagePlan } from './init-package.js';
import { BUF_GEN_YAML, BUF_YAML, TSCONFIG_JSON, mainTemplate, protoTemplate, serviceClassTemplate, tskTemplate, type ServiceNames } from './init-templates.js';
import type { Reporter } from './reporter.js';

export interface InitOptions {
  /** Full service name, e.g. "acme.inventory.v1.InventoryService". */
  readonly service: string;
  readonly cwd?: string;
}

export interface InitResult {
  /** Paths relative to cwd. */
  readonly created: readonly string[];
  readonly skipped: readonly string[];
  readonly updated: readonly string[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function serviceNames(fullName: string): ServiceNames {
  const parts = fullName.split('.');
  if (parts.length < 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw GeneratorError.onCommandLine(`"${fullName}" is not a full service name like acme.inventory.v1.InventoryService`);
  }
  const service = parts.pop()!;
  const resource = service.replace(/Service$/, '') || service;
  const snake = resource.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return {
    protoPackage: parts.join('.'),
    service,
    protoPath: `${parts.join('/')}/${snake}.proto`,
    rpc: `Get${resource.charAt(0).toUpperCase()}${resource.slice(1)}`,
    rpcLocal: `get${resource.charAt(0).toUpperCase()}${resource.slice(1)}`,
    kebab: service.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase(),
  };
}

/**
 * `tusk-grpc init <package.Service>`: writes the starting files of a service
 * and the npm scripts to generate, build and start it. Like go-zero's logic
 * files, each file is written once and then belongs to the user: an existing
 * file is never overwritten, only reported as skipped.
 */
export async function runInit(options: InitOptions, reporter: Reporter): Promise<InitResult> {
  const cwd = options.cwd ?? process.cwd();
  const names = serviceNames(options.service);
  // Decided first: a package.json init cannot use stops it before any file is written.
  const manifest = await planPackageJson(cwd);
  const files: [string, string][] = [
    [join('proto', names.protoPath), protoTemplate(names)],
    [join('proto', names.protoPath.replace(/\.proto$/, '.tsk')), tskTemplate(names)],
    ['buf.yaml', BUF_YAML],
    ['buf.gen.yaml', BUF_GEN_YAML],
    ['tsconfig.json', TSCONFIG_JSON],
    [join('src', `${names.kebab}.ts`), serviceClassTemplate(names)],
    [join('src', 'main.ts'), mainTemplate(names)],
  ];
  const created: string[] = [];
  const skipped: string[] = [];
  const updated: string[] = [];
  for (const [path, content] of files) {
    const target = join(cwd, path);
    if (existsSync(target)) {
      skipped.push(path);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content, { flag: 'wx' });
    created.push(path);
  }
  const hadManifest = existsSync(join(cwd, 'package.json'));
  await manifest.write();
  if (!manifest.unchanged) (hadManifest ? updated : created).push('package.json');
  for (const path of created) process.stdout.write(`created ${path}\n`);
  for (const path of updated) process.stdout.write(`updated ${path} (${describeChanges(manifest)})\n`);
  for (const path of skipped) process.stdout.write(`skipped ${path} (exists)\n`);
  reporter.step(`scaffolded ${names.protoPackage}.${names.service}`);
  const steps = [
    ...(manifest.addedDevDependencies.length > 0 ? ['npm install'] : []),
    'npm run generate',
    'npm run build',
    'npm start',
  ];
  process.stdout.write(`next: ${steps.join(', then ')}; implement ${names.service} in src/${names.kebab}.ts\n`);
  const mainPath = join('src', 'main.ts');
  if (skipped.includes(mainPath) && created.includes(join('src', `${names.kebab}.ts`))) {
    // A second service: the user's main.ts does not host it yet, and npm start would not serve it.
    process.stdout.write(`host it: add \`server.add(new ${names.service}());\` to ${mainPath} (import { ${names.service} } from './${names.kebab}.js'), or give it a main of its own\n`);
  }
  return { created, skipped, updated };
}

function describeChanges(plan: PackagePlan): string {
  const changes: string[] = [];
  if (plan.setModuleType) changes.push('"type": "module": the generated code is ESM');
  if (plan.addedScripts.length > 0) changes.push(`scripts ${plan.addedScripts.join(', ')}`);
  if (plan.addedDevDependencies.length > 0) changes.push(`devDependencies ${plan.addedDevDependencies.join(', ')}`);
  return changes.join('; ');
}
