// TuskServer echo instances as real child processes that register themselves in a real etcd, so tests can kill -9
// them and let clients find them through discovery (a killed instance's key stays until its lease expires).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./etcd-echo-server-process.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface EtcdEchoChildOptions {
  /** "host:port" of the etcd the child registers in. */
  readonly etcdEndpoint: string;
  /** Key prefix; one per test keeps killed instances' leftover keys out of the next test. */
  readonly prefix: string;
  /** Lease TTL as a descriptor duration, e.g. "10s". */
  readonly ttl: string;
  /** 0 (default) = any free port; a killed instance's port to bring it back at the same address. */
  readonly port?: number;
}

export interface EtcdEchoChild {
  readonly port: number;
  /** "127.0.0.1:port", the address the child registered. */
  readonly address: string;
  /** What the child's replies carry in `instance`. */
  readonly instance: string;
  /** Texts of every Create this process executed, in order; complete once kill() resolved. */
  readonly creates: string[];
  /** Resolves once the process exited and everything it printed was read. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** A child that has loaded everything and waits to start: start() binds and registers within milliseconds. */
export interface ArmedEtcdEchoChild {
  start(): Promise<EtcdEchoChild>;
  kill(): Promise<void>;
}

let spawned = 0;

/** Resolves once the child is bound and registered in etcd. */
export async function spawnEtcdEchoChild(options: EtcdEchoChildOptions): Promise<EtcdEchoChild> {
  return launch(options, false).listening;
}

/** Resolves once the child is loaded and waiting; its port stays free until start(). */
export async function armEtcdEchoChild(options: EtcdEchoChildOptions): Promise<ArmedEtcdEchoChild> {
  const { armed, listening, go, kill } = launch(options, true);
  await Promise.race([armed, listening]);
  return {
    start: () => {
      go();
      return listening;
    },
    kill,
  };
}

interface Launched {
  /** Resolves on "armed" (awaitGo only). */
  readonly armed: Promise<void>;
  readonly listening: Promise<EtcdEchoChild>;
  /** Tells an armed child to start. */
  go(): void;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function launch(options: EtcdEchoChildOptions, awaitGo: boolean): Launched {
  const instance = `echo-${process.pid}-${++spawned}`;
  // process.execArgv carries tsx's loader and the tusk-source condition over; the test runner's own flags stay here.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  const child = spawn(process.execPath, [...execArgv, ENTRY], {
    env: {
      ...process.env,
      TUSK_DISCOVERY: 'etcd',
      TUSK_ETCD_ENDPOINTS: options.etcdEndpoint,
      TUSK_LOG_LEVEL: 'warn',
      ECHO_PORT: String(options.port ?? 0),
      ECHO_PREFIX: options.prefix,
      ECHO_TTL: options.ttl,
      ECHO_INSTANCE: instance,
      ECHO_AWAIT_GO: awaitGo ? '1' : '0',
    },
    stdio: [awaitGo ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  });
  live.add(child);
  child.stdin?.on('error', () => {}); // the child may die before it reads "go"
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  const lines = createInterface({ input: child.stdout! });
  // Lines written before a kill may still sit in the pipe when 'exit' fires; the end of stdout means all were read.
  const outputRead = new Promise<void>((resolve) => lines.once('close', resolve));
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await Promise.all([exited, outputRead]);
  };

  // One bounded wait for each step the child takes on its own: loading (to "armed" or "listening"), and start-up after "go".
  let timer: NodeJS.Timeout | undefined;
  let failStart = (_error: Error): void => {};
  const bound = (what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => failStart(new Error(`echo child did not ${what} within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
  };
  let onArmed = (): void => {};
  const armed = new Promise<void>((resolve) => (onArmed = resolve));
  const creates: string[] = [];
  const port = new Promise<number>((resolve, reject) => {
    failStart = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('exit', (code, signal) => failStart(new Error(`echo child exited early with ${code ?? signal}`)));
    lines.on('line', (line) => {
      if (line === 'armed') {
        clearTimeout(timer);
        onArmed();
      } else if (line.startsWith('listening ')) {
        clearTimeout(timer);
        resolve(Number(line.slice('listening '.length)));
      } else if (line.startsWith('create ')) {
        creates.push(line.slice('create '.length));
      }
    });
  });
  bound(awaitGo ? 'load' : 'start');
  const listening = port.then((portNumber) => ({ port: portNumber, address: `127.0.0.1:${portNumber}`, instance, creates, kill }));
  listening.catch(() => {}); // an armed child killed before start() never listens; whoever calls start() still sees why
  return {
    armed,
    listening,
    go: () => {
      bound('start after "go"');
      child.stdin!.write('go\n');
    },
    kill,
  };
}
