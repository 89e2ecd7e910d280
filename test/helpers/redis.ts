// A real, private redis-server (Debian's) on a free loopback port with a temp dir and no persistence,
// for the gateway's shared rate limits. It can be killed (a crash) and started again on the same port.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../examples/shared/private-etcd.js';
import { restartableProcess } from '../../examples/shared/restartable-process.js';

export interface RedisServer {
  /** "redis://127.0.0.1:PORT" */
  readonly url: string;
  /** SIGKILL and wait for exit; keeps the port for a later start(). */
  kill(): Promise<void>;
  /** Starts again on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGTERM, wait, remove the temp dir. */
  destroy(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startRedis(options: { readonly binary?: string; readonly readyTimeoutMs?: number } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tusk-redis-'));
  const port = await freePort();
  const server = restartableProcess({
    label: `redis-server on ${HOST}:${port}`,
    binary: options.binary ?? process.env.TUSK_TEST_REDIS_BIN ?? '/usr/bin/redis-server',
    args: ['--bind', HOST, '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'],
    readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
    isReady: () => answersPing(port),
    pollMs: 25,
  });
  await server.start();
  return {
    url: `redis://${HOST}:${port}`,
    kill: () => server.stop('SIGKILL'),
    start: server.start,
    destroy: async () => {
      await server.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One inline PING on a fresh connection: +PONG means ready (a loading server answers -LOADING). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    const done = (ready: boolean) => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString('latin1').startsWith('+PONG')));
  });
}
