import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import { ownPackage } from './own-package.js';
import type { Project } from './project.js';

/**
 * The proto files tusk-grpc ships in `<package>/protos` (google/api/annotations.proto
 * and http.proto, Apache-2.0, taken from google-proto-files), so a user proto can
 * import them with no buf.yaml change and no network.
 *
 * buf has no -I: every folder it compiles is a module of the workspace, and a
 * module path must stay inside the workspace folder. So when the folder is
 * reachable from there (the usual `node_modules/tusk-grpc/protos`, or this
 * repository's own `protos/`), `generate` hands buf the user's buf.yaml with
 * that folder added as one more module (`--config` data); otherwise, or when
 * the workspace already has its own google/api files, buf runs unchanged.
 */
export const SHIPPED_PROTO_FILES: readonly string[] = ['google/api/annotations.proto', 'google/api/http.proto'];

interface BufYamlV2 {
  readonly version?: string;
  readonly modules?: readonly { readonly path?: string }[];
  readonly deps?: readonly string[];
  readonly [key: string]: unknown;
}

/** The shipped folder as a module path of this workspace (relative, no ".."), or undefined when buf cannot take it. */
export function shippedModulePath(project: Project): string | undefined {
  const config = readBufYaml(project.configFile);
  if (config?.version !== 'v2') return undefined; // v1 configs have no module list to extend
  // A workspace with BSR deps (and its buf.lock) is left exactly as buf reads it; googleapis is usually one of them.
  if ((config.deps?.length ?? 0) > 0) return undefined;
  const candidates = [relative(project.dir, join(ownPackage().dir, 'protos')), join('node_modules', 'tusk-grpc', 'protos')];
  const reachable = candidates.find((path) => path !== '' && !path.startsWith('..') && !isAbsolute(path) && existsSync(join(project.dir, path, SHIPPED_PROTO_FILES[1]!)));
  if (reachable === undefined) return undefined;
  const modulePaths = (config.modules ?? [{ path: '.' }]).map((module) => module.path ?? '.');
  // A module that already has google/api (vendored googleapis), or one whose folder holds ours, would clash.
  const clashes = modulePaths.some((path) => existsSync(join(project.dir, path, SHIPPED_PROTO_FILES[1]!)) || isInside(reachable, path));
  return clashes ? undefined : reachable.split(sep).join('/');
}

/** buf's `--config` arguments: the user's buf.yaml plus the shipped module when it applies. */
export function bufConfigArguments(project: Project): string[] {
  const extra = shippedModulePath(project);
  if (extra === undefined) return project.explicitConfig ? ['--config', project.configFile] : [];
  const config = readBufYaml(project.configFile)!;
  return ['--config', JSON.stringify({ ...config, modules: [...(config.modules ?? [{ path: '.' }]), { path: extra }] })];
}

/** Whether an import path (as buf lists it) is one of the shipped files rather than the user's own. */
export function isShippedProto(importPath: string, diskPath: string, project: Project): boolean {
  const extra = shippedModulePath(project);
  return extra !== undefined && SHIPPED_PROTO_FILES.includes(importPath) && isInside(relative(project.dir, diskPath), extra);
}

function isInside(path: string, folder: string): boolean {
  const normalized = folder === '.' ? '' : folder.replace(/\/+$/, '');
  return normalized === '' || path === normalized || path.startsWith(`${normalized}/`) || path.startsWith(`${normalized}${sep}`);
}

function readBufYaml(path: string): BufYamlV2 | undefined {
  try {
    const parsed: unknown = parse(readFileSync(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as BufYamlV2) : undefined;
  } catch {
    return undefined; // buf itself reports a broken buf.yaml, with its own words
  }
}
