// Shared by the generator's integration tests: run the built CLI as a real
// child process over copies of fixture trees, and compare folders byte for byte.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(REPO_ROOT, 'dist', 'generator', 'cli.js');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'generator');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command, killing it after `timeoutMs` (the result then has code null). */
export function runCommand(command: string, args: readonly string[], cwd: string, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function runCli(args: readonly string[], cwd: string): Promise<CliResult> {
  return runCommand(process.execPath, [CLI, ...args], cwd);
}

/** A private copy of a fixture tree in a fresh temp folder; remove it with `removeDir`. */
export async function copyFixture(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `tusk-gen-${name}-`));
  await cp(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Every file under `dir` with its bytes, keyed by '/'-separated relative path, sorted. */
export async function snapshotTree(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  const snapshot = new Map<string, Buffer>();
  for (const file of files) snapshot.set(file, await readFile(join(dir, file)));
  return snapshot;
}

/** Lines of CLI error output; each must have the `file:line:col: message` form. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '');
}

export const LOCATED_LINE = /^(?<file>[^:\s][^:]*):(?<line>\d+):(?<column>\d+): (?<message>.+)$/;

/** An error about a whole file, or the command line (file "tusk-grpc"): `file: message`, no made-up position. */
export const WHOLE_FILE_LINE = /^(?<file>[^:\s][^:]*): (?<message>.+)$/;

/**
 * Compares each [name, content] with `<goldenDir>/<name>`, or with UPDATE_GOLDEN=1 writes them there instead:
 * the one golden-file rule of the generator's and deploy's golden tests.
 */
export async function compareWithGoldenFiles(goldenDir: string, label: string, expected: readonly (readonly [string, string])[]): Promise<void> {
  const updating = process.env.UPDATE_GOLDEN === '1';
  for (const [name, content] of expected) {
    const goldenPath = join(goldenDir, name);
    if (updating) {
      await mkdir(dirname(goldenPath), { recursive: true });
      await writeFile(goldenPath, content);
      continue;
    }
    const golden = await readFile(goldenPath, 'utf8').catch(() => {
      throw new Error(`${goldenPath} is missing: run with UPDATE_GOLDEN=1 to create it`);
    });
    assert.equal(content, golden, `${label}/${name} differs from its golden file (UPDATE_GOLDEN=1 refreshes it after an intended change)`);
  }
}

export const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    noImplicitOverride: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noFallthroughCasesInSwitch: true,
  },
  include: ['src', 'gen'],
};

/** A consumer project whose node_modules point at this repository (as an installed tusk-grpc) and its dependencies. */
export async function makeConsumerProject(dir: string): Promise<void> {
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(STRICT_TSCONFIG, null, 2));
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(REPO_ROOT, join(dir, 'node_modules', 'tusk-grpc'), 'dir');
  for (const scope of ['@bufbuild', '@grpc', '@types']) {
    await symlink(join(REPO_ROOT, 'node_modules', scope), join(dir, 'node_modules', scope), 'dir');
  }
}
