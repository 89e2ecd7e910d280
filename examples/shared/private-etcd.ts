// A real, private etcd on free loopback ports with a temp data dir: the demo's
// etcd mode starts one, and the tests (through test/helpers/etcd.ts) use it to
// simulate outages — it can be stopped, killed and started again on the same
// ports and data.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restartableProcess } from './restartable-process.js';

export interface EtcdServer {
  /** "127.0.0.1:PORT", the client endpoint (TLS or not: see `url`). */
  readonly endpoint: string;
  /** "http://127.0.0.1:PORT", or https:// when started with `tls`. */
  readonly url: string;
  readonly dataDir: string;
  /** SIGTERM and wait for exit; keeps data and ports for a later start(). */
  stop(): Promise<void>;
  /** Starts again on the same ports and data dir; resolves once etcd answers /health. */
  start(): Promise<void>;
  /** SIGKILL and wait for exit (a crash); keeps data and ports. */
  kill(): Promise<void>;
  /** stop() and remove the data dir. */
  destroy(): Promise<void>;
}

export interface StartEtcdOptions {
  /** How long to wait for /health after each start; default 30 s (2 shared cores). */
  readonly readyTimeoutMs?: number;
  /** The etcd executable; default $TUSK_TEST_ETCD_BIN, else Debian's /usr/bin/etcd (3.4). */
  readonly binary?: string;
  /** Serve clients over TLS (https:// client URL); with `clientCertAuth`, only clients with a certificate from `ca` get in. */
  readonly tls?: EtcdTlsFiles;
  /** More etcd flags, e.g. ['--auth-token=simple', '--auth-token-ttl=5']. */
  readonly extraArgs?: readonly string[];
}

/** PEM files of the etcd server's own certificate; `ca` verifies client certificates and is what clients trust. */
export interface EtcdTlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  /** --client-cert-auth: refuse clients without a certificate from `ca`. */
  readonly clientCertAuth?: boolean;
  /** The certificate the harness itself presents to /health when client certificates are required. */
  readonly healthClient?: { readonly cert: string; readonly key: string };
}

const DEFAULT_ETCD_BINARY = process.env.TUSK_TEST_ETCD_BIN ?? '/usr/bin/etcd';
const HOST = '127.0.0.1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const binary = options.binary ?? DEFAULT_ETCD_BINARY;
  const dataDir = await mkdtemp(join(tmpdir(), 'tusk-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const tls = options.tls;
  const clientUrl = `${tls ? 'https' : 'http'}://${HOST}:${clientPort}`;
  const peerUrl = `http://${HOST}:${peerPort}`;
  const name = `tusk-${clientPort}`;
  const args = [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${name}=${peerUrl}`,
    '--initial-cluster-state=new',
    '--logger=zap',
    '--log-outputs=stderr',
    ...(tls ? [`--cert-file=${tls.cert}`, `--key-file=${tls.key}`, `--trusted-ca-file=${tls.ca}`, ...(tls.clientCertAuth ? ['--client-cert-auth'] : [])] : []),
    ...(options.extraArgs ?? []),
  ];
  const healthCheck = tls ? await httpsHealthCheck(tls) : undefined;

  const server = restartableProcess({
    label: `etcd on ${clientUrl}`,
    binary,
    args,
    readyTimeoutMs,
    isReady: () => isHealthy(clientUrl, healthCheck),
    pollMs: 100,
  });
  const launch = server.start;
  const terminate = server.stop;

  await launch();
  return {
    endpoint: `${HOST}:${clientPort}`,
    url: clientUrl,
    dataDir,
    start: launch,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    destroy: async () => {
      await terminate('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** GET url; resolves with status and body (TLS: trusting `ca`, presenting the health client certificate). */
type HealthGet = (url: string) => Promise<{ status: number; body: string }>;

async function isHealthy(clientUrl: string, get: HealthGet = fetchGet): Promise<boolean> {
  try {
    const { status, body } = await get(`${clientUrl}/health`);
    if (status !== 200) return false;
    const health = (JSON.parse(body) as { health?: unknown }).health;
    return health === 'true' || health === true;
  } catch {
    return false;
  }
}

async function fetchGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  return { status: response.status, body: await response.text() };
}

// fetch() cannot be given a CA or a client certificate; node:https can. The
// server certificate must name localhost (SNI cannot be an IP address).
async function httpsHealthCheck(tls: EtcdTlsFiles): Promise<HealthGet> {
  const [ca, cert, key] = await Promise.all([readFile(tls.ca), tls.healthClient ? readFile(tls.healthClient.cert) : undefined, tls.healthClient ? readFile(tls.healthClient.key) : undefined]);
  return (url) =>
    new Promise((resolve, reject) => {
      const request = httpsGet(url, { ca, cert, key, servername: 'localhost', timeout: 1_000 }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', reject);
    });
}
