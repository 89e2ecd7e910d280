// protoc-gen-tusk run by `buf generate` directly (no descriptors= from the CLI):
// the plugin finds and validates each proto's .tsk itself, so a broken or
// misplaced descriptor fails the run instead of silently becoming defaults.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { DescFile } from '@bufbuild/protobuf';
import { LineCounter, parseDocument } from 'yaml';
import type { ProtoSource } from '../buf.js';
import { checkDescriptors, type ServiceConfigs } from '../descriptors.js';
import { GeneratorError, type LocatedIssue } from '../errors.js';
import { protoServicesOf } from '../image.js';

/** Where the module roots came from, for messages that tell the user what to change. */
interface ModuleRoots {
  readonly roots: readonly string[];
  readonly origin: string;
}

/**
 * The buf module roots, relative to the folder buf runs in: the `module=`
 * option; else every module path of buf.yaml there (buf forbids one import
 * path in two modules, so searching them all is unambiguous); else ".".
 */
export function findModuleRoots(moduleOption: string | undefined, cwd: string): ModuleRoots {
  if (moduleOption !== undefined) return { roots: [moduleOption], origin: 'the module= option' };
  const bufYaml = join(cwd, 'buf.yaml');
  if (!existsSync(bufYaml)) return { roots: ['.'], origin: 'the default (no buf.yaml in the folder buf runs in)' };
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(bufYaml, 'utf8'), { prettyErrors: false, lineCounter });
  const [yamlError] = document.errors;
  if (yamlError) {
    const { line, col: column } = lineCounter.linePos(yamlError.pos[0]);
    throw new GeneratorError([{ file: 'buf.yaml', line, column, message: `cannot read the module paths: ${yamlError.message}` }]);
  }
  const config = document.toJS() as { modules?: unknown } | null;
  const modules: unknown[] = Array.isArray(config?.modules) ? config.modules : [];
  const paths = modules.map((module) => (module as { path?: unknown } | null)?.path).filter((path): path is string => typeof path === 'string');
  if (paths.length === 0) return { roots: ['.'], origin: 'buf.yaml (no module paths: the root module)' };
  return { roots: paths, origin: 'buf.yaml' };
}

function displayPathFrom(cwd: string): (absolutePath: string) => string {
  return (absolutePath) => {
    const shown = relative(cwd, absolutePath);
    return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? absolutePath : shown;
  };
}

/**
 * Validated configs of the services in `filesToGenerate`, keyed like the
 * CLI's descriptors.json. Throws a GeneratorError listing every problem.
 *
 * @param allFiles every file of the request, imports included (service names known to [dependencies])
 */
export function loadServiceConfigs(
  filesToGenerate: readonly DescFile[],
  allFiles: readonly DescFile[],
  moduleOption: string | undefined,
  cwd: string,
): ServiceConfigs {
  const { roots, origin } = findModuleRoots(moduleOption, cwd);
  const sources: ProtoSource[] = [];
  const issues: LocatedIssue[] = [];
  for (const file of filesToGenerate) {
    if (file.services.length === 0) continue;
    const importPath = file.proto.name;
    const diskPath = roots.map((root) => resolve(cwd, root, importPath)).find((path) => existsSync(path));
    if (diskPath === undefined) {
      const tried = roots.map((root) => JSON.stringify(root)).join(', ');
      issues.push({
        file: importPath,
        message: `protoc-gen-tusk cannot find this file under the module root ${tried} (from ${origin}), so it cannot find its .tsk: pass module=<folder of the buf module, relative to where buf runs>`,
      });
      continue;
    }
    sources.push({ importPath, diskPath });
  }
  const check = checkDescriptors(sources, allFiles.map(protoServicesOf), displayPathFrom(cwd));
  issues.push(...check.issues);
  if (issues.length > 0) throw new GeneratorError(issues);
  return check.configs;
}
