// Parent side of the overload load tests and benchmark: the server under test
// (overload-server.ts) and the load generator (overload-load-generator.ts),
// each its own child process, talking JSON lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { pinnedCommand } from './pinned-command.js';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LoadCommand, LoadResult } from './overload-load-generator.js';

export interface JsonChild {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  next(predicate: (line: Record<string, unknown>) => boolean, what: string, timeoutMs: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** `cpu`: the child runs on that CPU only (taskset), for benchmarks that keep load and server apart. */
function spawnJsonChild(script: string, env: NodeJS.ProcessEnv, cpu?: number): JsonChild {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  const [command, args] = pinnedCommand(process.execPath, [...execArgv, fileURLToPath(new URL(script, import.meta.url))], cpu);
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let consumed = 0;
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-10_000)));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      lines.push({ text });
    }
    for (const wake of [...waiters]) wake();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => {
    for (const wake of [...waiters]) wake();
  });
  /** The next line (after those already returned) that matches. */
  const next = (predicate: (line: Record<string, unknown>) => boolean, what: string, timeoutMs: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        for (; consumed < lines.length; consumed++) {
          if (predicate(lines[consumed]!)) return finish(() => resolve(lines[consumed++]!));
        }
        if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(new Error(`${script} exited before ${what}:\n${stderr}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what} from ${script}:\n${stderr}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  const stop = async () => {
    child.stdin!.end();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
  return { child, lines, next, stop };
}

export interface ServerStats {
  readonly limit: number | undefined;
  /** Calls the server finished, by status code. */
  readonly byCode: Readonly<Record<string, number>>;
  /** This process's CPU time so far. */
  readonly cpuMs: number;
}

export interface OverloadServer extends JsonChild {
  readonly address: string;
  stats(): Promise<ServerStats>;
}

export interface OverloadServerOptions {
  readonly cpuMs: number;
  readonly waitMs: number;
  /** The `[server] overload { ... }` block; `{ enabled: false }` for an unprotected server. */
  readonly overload: Record<string, unknown>;
  /** Pins the server to this CPU. */
  readonly cpu?: number;
}

export async function spawnOverloadServer(options: OverloadServerOptions): Promise<OverloadServer> {
  const server = spawnJsonChild('./overload-server.ts', {
    OVERLOAD_CPU_MS: String(options.cpuMs),
    OVERLOAD_WAIT_MS: String(options.waitMs),
    OVERLOAD_CONFIG: JSON.stringify(options.overload),
    TUSK_LOG_LEVEL: 'info',
  }, options.cpu);
  try {
    const ready = await server.next((line) => line.event === 'ready', 'the ready line', 30_000);
    const stats = async () => {
      server.child.stdin!.write('stats\n');
      return (await server.next((line) => line.event === 'stats', 'stats', 10_000)) as unknown as ServerStats;
    };
    return { ...server, address: `127.0.0.1:${ready.port as number}`, stats };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export interface LoadGenerator {
  run(command: LoadCommand): Promise<LoadResult>;
  stop(): Promise<void>;
}

/** `cpu`: pins the generator to that CPU. */
export async function spawnLoadGenerator(cpu?: number): Promise<LoadGenerator> {
  const generator = spawnJsonChild('./overload-load-generator.ts', {}, cpu);
  await generator.next((line) => line.event === 'ready', 'the ready line', 30_000);
  return {
    run: async (command) => {
      generator.child.stdin!.write(`${JSON.stringify(command)}\n`);
      const line = await generator.next((l) => l.event === 'result' || l.event === 'error', 'a load result', command.durationMs + command.deadlineMs + 10_000);
      if (line.event === 'error') throw new Error(`load generator: ${String(line.message)}`);
      return line.result as LoadResult;
    },
    stop: generator.stop,
  };
}
