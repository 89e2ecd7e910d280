import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GeneratorError, type LocatedIssue } from './errors.js';
import type { Project } from './project.js';
import { bufConfigArguments, isShippedProto, shippedModulePath, SHIPPED_PROTO_FILES } from './shipped-protos.js';

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: readonly string[], cwd: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const [program, ...args] = command;
    const child = spawn(program!, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolvePromise({
        code: code ?? 1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

/** A proto file of the workspace: its import path (what the image calls it) and where it is on disk. */
export interface ProtoSource {
  readonly importPath: string;
  /** Absolute path on disk. */
  readonly diskPath: string;
}

interface BufJsonError {
  readonly path?: string;
  readonly start_line?: number;
  readonly start_column?: number;
  readonly message?: string;
}

/**
 * Turns buf's output into located issues. With `--error-format json` buf
 * prints one JSON object per compile error, with paths relative to the
 * workspace (or, for some errors, the import path); anything else
 * ("Failure: ...") concerns the configuration as a whole.
 */
function issuesFromBufOutput(output: string, project: Project, sources: readonly ProtoSource[]): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  for (const line of output.split('\n').map((l) => l.trim()).filter(Boolean)) {
    let parsed: BufJsonError | null = null;
    if (line.startsWith('{')) {
      try {
        parsed = JSON.parse(line) as BufJsonError;
      } catch {
        parsed = null;
      }
    }
    if (parsed?.path !== undefined) {
      issues.push({
        file: displayPathOfProto(parsed.path, project, sources),
        // buf leaves the position out (or 0) for problems with a file as a whole.
        line: parsed.start_line || undefined,
        column: parsed.start_line ? parsed.start_column || 1 : undefined,
        message: parsed.message ?? 'error',
      });
    } else {
      issues.push({ file: project.displayPath(project.configFile), message: line.replace(/^Failure: /, '') });
    }
  }
  // buf reports in its own order; by position reads better and is stable.
  return issues.sort((a, b) => (a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) : a.file < b.file ? -1 : 1));
}

function displayPathOfProto(path: string, project: Project, sources: readonly ProtoSource[]): string {
  const onDisk = resolve(project.dir, path);
  if (existsSync(onDisk)) return project.displayPath(onDisk);
  const source = sources.find((s) => s.importPath === path);
  return source ? project.displayPath(source.diskPath) : path;
}

async function runBuf(project: Project, buf: readonly string[], args: readonly string[], sources: readonly ProtoSource[] = []): Promise<RunResult> {
  const result = await run([...buf, ...args, ...bufConfigArguments(project)], project.dir);
  if (result.code !== 0) {
    const issues = issuesFromBufOutput(`${result.stderr}\n${result.stdout}`, project, sources);
    if (issues.length === 0) issues.push({ file: project.displayPath(project.configFile), message: `buf ${args[0]} failed (exit ${result.code})` });
    throw new GeneratorError(issues);
  }
  return result;
}

/** The workspace's own proto files (not their imports), sorted by import path. */
export async function listProtoSources(project: Project, buf: readonly string[]): Promise<ProtoSource[]> {
  const result = await runBuf(project, buf, ['ls-files', '--format', 'json']);
  const sources = result.stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as { path: string; import_path: string })
    .map((entry) => ({ importPath: entry.import_path, diskPath: resolve(project.dir, entry.path) }))
    .filter((source) => !isShippedProto(source.importPath, source.diskPath, project));
  return sources.sort((a, b) => (a.importPath < b.importPath ? -1 : a.importPath > b.importPath ? 1 : 0));
}

/** Compiles the workspace into a binary image (a FileDescriptorSet with imports). */
export async function buildImage(project: Project, buf: readonly string[], imagePath: string, sources: readonly ProtoSource[]): Promise<void> {
  await runBuf(project, buf, ['build', '--error-format', 'json', '-o', imagePath], sources);
}

/** Runs the plugins of `templatePath` over an image built before. */
export async function generateFromImage(project: Project, buf: readonly string[], imagePath: string, templatePath: string): Promise<void> {
  // The image is self-contained: buf.yaml is not consulted, so no --config.
  // The shipped google/api files are modules of the image, not the user's: nothing is generated for them.
  const shipped = shippedModulePath(project) === undefined ? [] : SHIPPED_PROTO_FILES.flatMap((file) => ['--exclude-path', file]);
  const result = await run([...buf, 'generate', imagePath, '--template', templatePath, ...shipped], project.dir);
  if (result.code !== 0) {
    const detail = `${result.stderr}\n${result.stdout}`.trim().replace(/^Failure: /, '');
    throw GeneratorError.atFile(project.displayPath(project.configFile), `code generation failed: ${detail}`);
  }
}
