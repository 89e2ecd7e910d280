import { existsSync, readFileSync } from 'node:fs';

import { validateDescriptorText } from '../src/config/index.js';
import type { RawDescriptor } from '../src/config/index.js';
import type { ProtoSource } from './buf.js';
import type { LocatedIssue } from './errors.js';
import type { ProtoServices } from './image.js';

/** What protoc-gen-tusk embeds for one service: its validated .tsk, or the defaults. */
export interface ServiceConfig {
  /** The .tsk relative to the module root, like the proto's import path; null = defaults. */
  readonly descriptorFile: string | null;
  readonly config: RawDescriptor;
  /** The .tsk's absolute path, from which the plugin records its place relative to the generated file; null = defaults. */
  readonly sourcePath: string | null;
}

/** Keyed by full service name; the plugin receives this as JSON. */
export type ServiceConfigs = Record<string, ServiceConfig>;

export interface DescriptorCheck {
  readonly configs: ServiceConfigs;
  /** .tsk files read, as shown to the user. */
  readonly descriptorFiles: readonly string[];
  readonly issues: readonly LocatedIssue[];
}

function siblingDescriptor(path: string): string {
  return path.replace(/\.proto$/, '.tsk');
}

/**
 * Validates the .tsk beside every proto file of the workspace that declares
 * services. All problems are collected, so one run shows every mistake.
 * Synchronous because protoc-gen-tusk (standalone mode) runs it inside
 * protoplugin's synchronous `run`; the files are a handful of small texts.
 *
 * @param files every proto file compiled, imports included (for service names in [dependencies])
 * @param displayPath how a .tsk path is shown in messages
 */
export function checkDescriptors(
  sources: readonly ProtoSource[],
  files: readonly ProtoServices[],
  displayPath: (absolutePath: string) => string,
): DescriptorCheck {
  const allServices = files.flatMap((file) => file.services);
  const knownServices = allServices.map((service) => service.name).sort();
  const knownMessages = files.flatMap((file) => file.messages).sort();
  const serviceMethods = Object.fromEntries(allServices.map((service) => [service.name, service.methods.map((method) => method.name)]));
  const configs: ServiceConfigs = {};
  const descriptorFiles: string[] = [];
  const issues: LocatedIssue[] = [];
  for (const source of sources) {
    const proto = files.find((file) => file.file === source.importPath);
    if (!proto || proto.services.length === 0) continue;
    const tskPath = siblingDescriptor(source.diskPath);
    if (!existsSync(tskPath)) continue;
    const shownPath = displayPath(tskPath);
    descriptorFiles.push(shownPath);
    const validation = validateDescriptorText(readFileSync(tskPath, 'utf8'), shownPath, proto, { knownServices, serviceMethods, knownMessages });
    issues.push(...validation.errors);
    if (validation.errors.length === 0 && validation.service !== null && validation.raw !== null) {
      configs[validation.service] = { descriptorFile: siblingDescriptor(source.importPath), config: validation.raw, sourcePath: tskPath };
    }
  }
  return { configs, descriptorFiles, issues };
}

