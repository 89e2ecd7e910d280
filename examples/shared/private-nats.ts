// A real, private `nats-server -js` on free loopback ports with a temp store
// dir: the tests (through test/helpers/nats.ts) use it, and the demo's nats mode
// can. It can be stopped, killed and started again on the same port and store,
// to simulate a broker restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './private-etcd.js';
import { restartableProcess } from './restartable-process.js';

export interface NatsServer {
  /** "127.0.0.1:PORT", the client address. */
  readonly endpoint: string;
  readonly storeDir: string;
  /** SIGTERM and wait for exit; keeps port and store for a later start(). */
  stop(): Promise<void>;
  /** Starts again on the same port and store; resolves once JetStream is healthy. */
  start(): Promise<void>;
  /** SIGKILL and wait for exit (a crash); keeps port and store. */
  kill(): Promise<void>;
  /** SIGSTOP: the server hangs with its connections open (what a missed heartbeat looks like); resume() continues it. */
  pause(): void;
  resume(): void;
  /** stop() and remove the store dir. */
  destroy(): Promise<void>;
}

export interface StartNatsOptions {
  /** How long to wait for /healthz after each start; default 20 s (2 shared cores). */
  readonly readyTimeoutMs?: number;
  /** The executable; default $TUSK_TEST_NATS_BIN, else Debian's /usr/sbin/nats-server. */
  readonly binary?: string;
}

const HOST = '127.0.0.1';

export async function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const binary = options.binary ?? process.env.TUSK_TEST_NATS_BIN ?? '/usr/sbin/nats-server';
  const storeDir = await mkdtemp(join(tmpdir(), 'tusk-nats-'));
  const port = await freePort();
  let monitorPort = await freePort();
  while (monitorPort === port) monitorPort = await freePort();
  const args = ['-js', '-a', HOST, '-p', String(port), '-m', String(monitorPort), '-sd', storeDir];

  const server = restartableProcess({
    label: `nats-server on ${HOST}:${port}`,
    binary,
    args,
    readyTimeoutMs,
    isReady: () => healthy(monitorPort),
    pollMs: 50,
  });
  const launch = server.start;
  const signal = server.stop;

  await launch();
  return {
    endpoint: `${HOST}:${port}`,
    storeDir,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    start: launch,
    pause: () => server.send('SIGSTOP'),
    resume: () => server.send('SIGCONT'),
    destroy: async () => {
      await signal('SIGTERM');
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/** /healthz answers 200 once the server, JetStream included, is ready. */
function healthy(monitorPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpGet({ host: HOST, port: monitorPort, path: '/healthz', timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('error', () => resolve(false));
    request.once('timeout', () => {
      request.destroy();
      resolve(false);
    });
  });
}
