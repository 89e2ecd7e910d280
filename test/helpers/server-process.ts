// A TuskServer hosting TestEchoService in its own process, registered in the
// registry the environment names (TUSK_DISCOVERY, TUSK_ETCD_ENDPOINTS, ...),
// with the default SIGTERM/SIGINT handling. Run directly, it prints JSON lines:
// {"event":"ready","port":N} once serving and {"event":"call_started","in_flight":N}
// per Echo call. Tests spawn it with spawnServerProcess().
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CallContext } from '../../src/server/call-context.js';
import { TuskServer } from '../../src/server/tusk-server.js';
import type { EchoRequest, EchoResponse } from './echo-service.js';
import { TestEchoService } from './server-echo-service.js';

/** Config the child's echo descriptor carries; TEST_DISCOVERY_PREFIX keeps tests apart in one etcd, TEST_SERVER_TRANSPORT picks [server] transport. */
function childConfig() {
  return {
    service: { version: '9.9.9' },
    discovery: { prefix: process.env.TEST_DISCOVERY_PREFIX ?? 'services', ttl: '5s' },
    server: { shutdown_grace: process.env.TEST_SHUTDOWN_GRACE ?? '10s', transport: process.env.TEST_SERVER_TRANSPORT ?? 'grpc-js' },
  };
}

class AnnouncingEchoService extends TestEchoService {
  override async echo(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    const pending = super.echo(request, ctx);
    process.stdout.write(`${JSON.stringify({ event: 'call_started', in_flight: this.inFlight })}\n`);
    return pending;
  }
}

async function main(): Promise<void> {
  const server = new TuskServer({ host: '127.0.0.1', port: 0 });
  server.add(new AnnouncingEchoService(`pid-${process.pid}`, childConfig()));
  await server.start();
  process.stdout.write(`${JSON.stringify({ event: 'ready', port: server.port })}\n`);
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Every JSON line the child printed on stdout so far (its logs included). */
  readonly lines: Record<string, unknown>[];
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  waitForLine(predicate: (line: Record<string, unknown>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(): void;
}

const helperPath = fileURLToPath(import.meta.url);

/**
 * Spawns the helper (or another `script` that prints the same `{"event":"ready","port":N}` line) with this
 * process' loader flags (tsx, conditions), minus the test runner's own.
 */
export async function spawnServerProcess(env: NodeJS.ProcessEnv, readyTimeoutMs = 30_000, script = helperPath): Promise<ServerProcess> {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  const child = spawn(process.execPath, [...execArgv, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      lines.push({ text });
    }
    for (const wake of [...waiters]) wake();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
      for (const wake of [...waiters]) wake();
    });
  });
  let exitedYet = false;
  void exited.then(() => (exitedYet = true));

  const waitForLine = (predicate: (line: Record<string, unknown>) => boolean, what: string, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = lines.find(predicate);
        if (found) return done(() => resolve(found));
        if (exitedYet) return done(() => reject(new Error(`server process exited before ${what}; stderr:\n${stderr}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${what}; stderr:\n${stderr}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const ready = await waitForLine((line) => line.event === 'ready', 'the ready line', readyTimeoutMs);
    return { child, port: ready.port as number, lines, stderr: () => stderr, exited, waitForLine, kill };
  } catch (error) {
    kill();
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
