// One real server binary (etcd, nats-server) run as a child process that can
// be stopped, killed and started again with the same arguments: the private
// etcd and the private NATS of the demo and the tests share this lifecycle.
import { spawn, type ChildProcess } from 'node:child_process';

const LOG_TAIL_CHARS = 20_000;
/** A graceful stop that hangs would stall the caller: SIGKILL after this long. */
const ESCALATE_AFTER_MS = 15_000;

/** Any such child still running when this process exits is killed, so none is left behind. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export interface RestartableProcessOptions {
  /** For messages: "etcd on http://127.0.0.1:2379". */
  readonly label: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly readyTimeoutMs: number;
  /** Polled until true (or the time limit, or an exit). */
  isReady(): Promise<boolean>;
  readonly pollMs: number;
}

export interface RestartableProcess {
  /** Spawns (unless running) and resolves once ready; on failure kills it, prints its log tail and throws. */
  start(): Promise<void>;
  /** Sends the signal and waits for the exit (SIGTERM escalates to SIGKILL after 15 s). */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** SIGSTOP / SIGCONT and the like, without waiting. */
  send(signal: NodeJS.Signals): void;
}

export function restartableProcess(options: RestartableProcessOptions): RestartableProcess {
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let log = '';
  const appendLog = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
  };

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running) return;
    running.kill(signal);
    const escalate = setTimeout(() => running.kill('SIGKILL'), ESCALATE_AFTER_MS);
    await exited;
    clearTimeout(escalate);
  };

  const start = async (): Promise<void> => {
    if (child) return;
    const spawned = spawn(options.binary, [...options.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    liveChildren.add(spawned);
    spawned.stdout?.on('data', appendLog);
    spawned.stderr?.on('data', appendLog);
    let spawnError: Error | null = null;
    exited = new Promise<void>((resolve) => {
      spawned.once('error', (error) => {
        spawnError = error;
        resolve();
      });
      spawned.once('exit', () => resolve());
    }).then(() => {
      liveChildren.delete(spawned);
      if (child === spawned) child = null;
    });
    const deadline = Date.now() + options.readyTimeoutMs;
    while (Date.now() < deadline) {
      if (child !== spawned) break;
      if (await options.isReady()) return;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
    const reason = spawnError
      ? `could not spawn ${options.binary}: ${String(spawnError)}`
      : child === spawned ? `not ready within ${options.readyTimeoutMs} ms` : 'exited during start-up';
    if (child === spawned) await stop('SIGKILL');
    process.stderr.write(`--- log of ${options.label} ---\n${log}\n--- end of log ---\n`);
    throw new Error(`${options.label} ${reason}`);
  };

  return { start, stop, send: (signal) => void child?.kill(signal) };
}
