// The README's "A five-minute tour" as data: every fenced block marked with an
// HTML comment (`<!-- tour:KIND [path] -->`) just above it is a step, in order.
//   run     shell commands, one per line, each must exit 0
//   serve   one shell command that keeps running; ready when it logs "serving"
//   file    the block is written to the path
//   same    the file init wrote at the path must be exactly the block
//   stdout  the last lines printed by the previous `run` command
// Unmarked blocks (examples of errors, asides) are prose.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export type TourStep =
  | { readonly kind: 'run' | 'serve'; readonly commands: readonly string[]; readonly line: number }
  | { readonly kind: 'file' | 'same'; readonly path: string; readonly content: string; readonly line: number }
  | { readonly kind: 'stdout'; readonly content: string; readonly line: number };

const TOUR_HEADING = '## A five-minute tour';
const MARKER = /^<!-- tour:(run|serve|file|same|stdout)(?: (\S+))? -->$/;

/** The tour's steps, in README order; throws on a marker without a block, so a broken README fails loudly. */
export function tourSteps(readme: string): TourStep[] {
  const lines = readme.split('\n');
  const start = lines.indexOf(TOUR_HEADING);
  if (start < 0) throw new Error(`README.md has no "${TOUR_HEADING}" section`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const steps: TourStep[] = [];
  for (let index = start; index < (end < 0 ? lines.length : end); index++) {
    const marker = MARKER.exec(lines[index]!);
    if (!marker) continue;
    const [, kind, path] = marker;
    let open = index + 1;
    while (lines[open] === '') open++;
    if (!lines[open]?.startsWith('```')) throw new Error(`README.md:${index + 1}: tour marker not followed by a fenced block`);
    const close = lines.findIndex((line, at) => at > open && line === '```');
    if (close < 0) throw new Error(`README.md:${open + 1}: fenced block never closed`);
    const body = lines.slice(open + 1, close);
    const line = open + 1;
    if (kind === 'run' || kind === 'serve') {
      const commands = body.map((text) => text.trim()).filter((text) => text !== '' && !text.startsWith('#'));
      if (kind === 'serve' && commands.length !== 1) throw new Error(`README.md:${line}: a serve block holds exactly one command`);
      steps.push({ kind, commands, line });
    } else if (kind === 'file' || kind === 'same') {
      if (!path) throw new Error(`README.md:${index + 1}: tour:${kind} needs a path`);
      steps.push({ kind, path, content: `${body.join('\n')}\n`, line });
    } else {
      steps.push({ kind: 'stdout', content: `${body.join('\n')}\n`, line });
    }
    index = close;
  }
  return steps;
}

export interface ShellResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command line with sh, killing its whole process group after `timeoutMs` (code null then). */
export function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running command (a server), in its own process group so all of it can be stopped. */
export interface Served {
  /** Everything printed so far, both streams. */
  output(): string;
  /** SIGTERM to the whole group; resolves with the output once every pipe closed. */
  stop(timeoutMs: number): Promise<string>;
}

/** Starts `command` and resolves once a line of its stdout matches `ready`; rejects if it exits or `timeoutMs` passes first. */
export function serve(command: string, cwd: string, env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs: number): Promise<Served> {
  const child = spawn('sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const served: Served = {
    output: () => output,
    stop: async (stopTimeoutMs) => {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), stopTimeoutMs);
      await closed;
      clearTimeout(timer);
      return output;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`"${command}" did not become ready within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`;
      if (ready.test(line)) {
        clearTimeout(timer);
        resolve(served);
      }
    });
    void closed.then(() => {
      clearTimeout(timer);
      reject(new Error(`"${command}" exited before it was ready:\n${output}`));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
