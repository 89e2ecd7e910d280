import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GeneratorError } from './errors.js';
import { BUF_GEN_YAML, BUF_YAML, TSCONFIG_JSON, protoTemplate, serviceClassTemplate, tskTemplate, type ServiceNames } from './init-templates.js';
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
    throw GeneratorError.atFile('<command line>', `"${fullName}" is not a full service name like acme.inventory.v1.InventoryService`);
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
 * `tusk-grpc init <package.Service>`: writes the starting files of a service.
 * Like go-zero's logic files, each is written once and then belongs to the
 * user: an existing file is never overwritten, only reported as skipped.
 */
export async function runInit(options: InitOptions, reporter: Reporter): Promise<InitResult> {
  const cwd = options.cwd ?? process.cwd();
  const names = serviceNames(options.service);
  const files: [string, string][] = [
    [join('proto', names.protoPath), protoTemplate(names)],
    [join('proto', names.protoPath.replace(/\.proto$/, '.tsk')), tskTemplate(names)],
    ['buf.yaml', BUF_YAML],
    ['buf.gen.yaml', BUF_GEN_YAML],
    ['tsconfig.json', TSCONFIG_JSON],
    [join('src', `${names.kebab}.ts`), serviceClassTemplate(names)],
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
  const manifest = await ensureEsmPackage(cwd);
  if (manifest === 'created') created.push('package.json');
  if (manifest === 'updated') updated.push('package.json');
  for (const path of created) process.stdout.write(`created ${path}\n`);
  for (const path of updated) process.stdout.write(`updated ${path} ("type": "module": the generated code is ESM)\n`);
  for (const path of skipped) process.stdout.write(`skipped ${path} (exists)\n`);
  reporter.step(`scaffolded ${names.protoPackage}.${names.service}`);
  process.stdout.write(`next: npx tusk-grpc generate, then implement ${names.service} in src/${names.kebab}.ts\n`);
  return { created, skipped, updated };
}

/**
 * Generated code and the runtime are ESM, so the project must be too. A
 * package.json without "type" gets `"type": "module"`; one that says
 * "commonjs" is left alone (the user chose it) and reported.
 */
async function ensureEsmPackage(cwd: string): Promise<'created' | 'updated' | 'unchanged'> {
  const path = join(cwd, 'package.json');
  if (!existsSync(path)) {
    const name = basename(cwd).toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'service';
    await writeFile(path, `${JSON.stringify({ name, private: true, type: 'module' }, null, 2)}\n`, { flag: 'wx' });
    return 'created';
  }
  const text = await readFile(path, 'utf8');
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw GeneratorError.atFile('package.json', 'is not valid JSON');
  }
  if (manifest.type === 'module') return 'unchanged';
  if (manifest.type !== undefined) {
    process.stderr.write(`package.json:1:1: "type" is ${JSON.stringify(manifest.type)}; generated code is ESM and needs "type": "module"\n`);
    return 'unchanged';
  }
  const indent = /^[ \t]+/m.exec(text)?.[0] ?? '  ';
  await writeFile(path, `${JSON.stringify({ ...manifest, type: 'module' }, null, indent)}\n`);
  return 'updated';
}
