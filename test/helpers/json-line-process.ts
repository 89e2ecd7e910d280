// Spawns a TypeScript script with this process' loader flags (tsx,
// conditions), minus the test runner's own, and reads its JSON lines; waits
// for {"event":"ready"}. The kill -9 tests' worker processes (events, sagas).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { waitUntil } from './wait.js';

export interface JsonLineProcess {
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** The last of what it wrote to stderr (its warnings), for a failure message. */
  stderr(): string;
}

export async function spawnJsonLineProcess(script: string, label: string, env: Record<string, string>, readyTimeoutMs = 30_000): Promise<JsonLineProcess> {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  const child = spawn(process.execPath, [...execArgv, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      lines.push({ text });
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const waitFor = (event: string, timeoutMs = 30_000) =>
    waitUntil(() => {
      const found = lines.find((line) => line.event === event);
      if (!found && gone()) throw new Error(`${label} exited; stderr:\n${stderr}`);
      return found;
    }, timeoutMs, () => `${label} to print ${event} (stderr: ${stderr.slice(-2000)})`);
  const kill = async () => {
    if (!gone()) child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitFor('ready', readyTimeoutMs);
  } catch (error) {
    await kill();
    throw error;
  }
  return { waitFor, kill, stderr: () => stderr };
}
