// Shared by the deploy tests: the examples' workspace (buf.yaml + proto/) copied
// to a temp folder, the built CLI run over it, and its output read back as objects.
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, runCli, snapshotTree, type CliResult } from '../generator/cli-harness.js';

/** A private copy of the examples' protos and descriptors, laid out like a user project. */
export async function copyExamplesWorkspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tusk-deploy-'));
  await cp(join(REPO_ROOT, 'buf.yaml'), join(dir, 'buf.yaml'));
  // protos/ holds the shipped google/api files, a module of the repository's buf.yaml (the example protos import them).
  for (const folder of ['proto', 'protos']) await cp(join(REPO_ROOT, folder), join(dir, folder), { recursive: true });
  return dir;
}

export function runDeployCli(dir: string, ...args: string[]): Promise<CliResult> {
  return runCli(['deploy', ...args], dir);
}

/** Every object of a deploy output folder, keyed by its file (relative, '/'-separated). */
export async function readManifests(outDir: string): Promise<Map<string, Record<string, any>>> {
  const manifests = new Map<string, Record<string, any>>();
  for (const file of (await snapshotTree(outDir)).keys()) {
    if (!file.endsWith('.yaml')) continue;
    const documents = parseAllDocuments(await readFile(join(outDir, file), 'utf8'));
    if (!Array.isArray(documents) || documents.length !== 1) throw new Error(`${file}: expected one YAML document`);
    manifests.set(file, documents[0]!.toJS() as Record<string, any>);
  }
  return manifests;
}

/** The objects of one service folder by kind (one of each kind per folder). */
export function byKind(manifests: Map<string, Record<string, any>>, folder: string): Record<string, Record<string, any>> {
  const out: Record<string, Record<string, any>> = {};
  for (const [file, manifest] of manifests) {
    if (file.startsWith(`${folder}/`) && manifest.kind !== 'Kustomization') out[manifest.kind as string] = manifest;
  }
  return out;
}
