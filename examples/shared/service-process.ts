// Runs an example service as its own process (as in production: one process
// per instance) and waits for the JSON ready line its main.ts prints. Shared
// by the demo and the end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A service's main.ts, or the HTTP gateway in front of them (examples/gateway/main.ts). */
export type ExampleService = 'user' | 'order' | 'notification' | 'payment' | 'gateway';

export interface StartServiceOptions {
  readonly service: ExampleService;
  /** INSTANCE_NAME of the process: shows up in served_by and in the demo's output. */
  readonly name: string;
  /** Added to this process's environment (discovery, data folder, ports...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Default 60 s: a cold start compiles TypeScript on 2 busy cores. */
  readonly readyTimeoutMs?: number;
}

export interface ServiceProcess {
  readonly name: string;
  readonly port: number;
  /** "127.0.0.1:port", for grpcurl and static clients. */
  readonly address: string;
  readonly pid: number;
  /** Every stdout line so far (pino JSON logs); bounded. */
  readonly lines: readonly string[];
  readonly running: boolean;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  /** SIGTERM (drain and deregister), SIGKILL after `graceMs`; resolves on exit. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL (a crash: no deregistration); resolves on exit. */
  kill(): Promise<void>;
  /** The last lines of stdout and stderr, for failure reports. */
  logTail(lines?: number): string;
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRIES: Record<ExampleService, string> = {
  user: fileURLToPath(new URL('../user-service/main.ts', import.meta.url)),
  order: fileURLToPath(new URL('../order-service/main.ts', import.meta.url)),
  notification: fileURLToPath(new URL('../notification-service/main.ts', import.meta.url)),
  payment: fileURLToPath(new URL('../payment-service/main.ts', import.meta.url)),
  gateway: fileURLToPath(new URL('../gateway/main.ts', import.meta.url)),
};
const MAX_LINES = 5_000;
const LOOPBACK = '127.0.0.1';

// Nothing started here outlives the process that started it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** SIGKILLs every service process this process started and has not seen exit. */
export function killAllServiceProcesses(): void {
  for (const child of live) child.kill('SIGKILL');
}

export async function startServiceProcess(options: StartServiceOptions): Promise<ServiceProcess> {
  // The source condition and tsx run main.ts straight from TypeScript; the
  // telemetry --import is the documented one-line tracing set-up.
  const args = ['--conditions=tusk-source', '--import', 'tsx', '--import', 'tusk-grpc/telemetry', ENTRIES[options.service]];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    // The .tsk files bind 0.0.0.0 by default (production); demo and tests stay on loopback.
    env: { ...process.env, USER_HOST: LOOPBACK, ORDER_HOST: LOOPBACK, NOTIFICATION_HOST: LOOPBACK, GATEWAY_HOST: LOOPBACK, ...options.env, INSTANCE_NAME: options.name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
    child.once('error', () => resolve());
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const logTail = (count = 20) => [...lines.slice(-count), ...stderr.trim().split('\n').slice(-count)].join('\n');

  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} printed no ready line within ${readyTimeoutMs} ms`)), readyTimeoutMs);
    void exited.then(() => reject(new Error(`${options.name} exited before it was ready (${child.exitCode ?? child.signalCode})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
      const ready = parseJsonLine(line);
      if (typeof ready?.ready === 'string' && typeof ready.port === 'number') {
        clearTimeout(timer);
        resolve(ready.port);
      }
    });
  }).catch(async (error: Error) => {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${error.message}\n${logTail()}`);
  });

  const signalAndWait = async (signal: NodeJS.Signals, graceMs: number) => {
    if (!running()) return exited;
    child.kill(signal);
    const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(escalate);
  };
  return {
    name: options.name,
    port,
    address: `127.0.0.1:${port}`,
    pid: child.pid!,
    lines,
    get running() {
      return running();
    },
    exited,
    stop: (graceMs = 20_000) => signalAndWait('SIGTERM', graceMs),
    kill: () => signalAndWait('SIGKILL', 0),
    logTail,
  };
}

/** A stdout line as JSON, or undefined when it is not a JSON object. */
export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The JSON log lines of a process whose fields include all of `fields`. */
export function logLinesWith(process: ServiceProcess, fields: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  return process.lines.map(parseJsonLine).filter((entry): entry is Record<string, unknown> => (
    entry !== undefined && Object.entries(fields).every(([key, value]) => entry[key] === value)
  ));
}
