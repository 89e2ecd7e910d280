// Echo servers as real child processes, so tests can kill -9 them.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const ENTRY = fileURLToPath(new URL('./echo-server-process.ts', import.meta.url));
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface EchoChild {
  readonly port: number;
  readonly address: string;
  /** Texts of every Create this process executed, in order. */
  readonly creates: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnEchoChild(options: { port?: number; delayMs?: number } = {}): Promise<EchoChild> {
  // process.execArgv carries tsx's loader and the tusk-source condition over to the child.
  const child = spawn(process.execPath, [...process.execArgv, ENTRY], {
    env: { ...process.env, ECHO_PORT: String(options.port ?? 0), ECHO_DELAY_MS: String(options.delayMs ?? 0) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));
  const creates: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('echo child did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`echo child exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('listening ')) {
        clearTimeout(timer);
        resolve(Number(line.slice('listening '.length)));
      } else if (line.startsWith('create ')) {
        creates.push(line.slice('create '.length));
      }
    });
  });
  return {
    port,
    address: `127.0.0.1:${port}`,
    creates,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Runs `workers` concurrent loops of `call` until `stop()` says so, at most `maxCallsPerWorker` each. */
export async function runLoad(workers: number, maxCallsPerWorker: number, call: (worker: number, index: number) => Promise<unknown>, stop: () => boolean): Promise<{ ok: number; failures: unknown[] }> {
  let ok = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let index = 0; index < maxCallsPerWorker && !stop(); index++) {
        try {
          await call(worker, index);
          ok++;
        } catch (error) {
          failures.push(error);
        }
      }
    }),
  );
  return { ok, failures };
}

/** The shared polling wait under its old name, for failover.test.ts (same argument order). */
export { waitUntil as waitFor } from '../../helpers/wait.js';
