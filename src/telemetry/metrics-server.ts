import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { tuskMetrics } from './metrics.js';

export interface MetricsServer {
  /** The bound port (the one asked for, or the OS's pick for 0). */
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  /** Default "0.0.0.0": scrapers run on other hosts. */
  readonly host?: string;
  /** Default: the process-wide registry of tuskMetrics(). */
  readonly registry?: Registry;
}

/**
 * Plain HTTP for scrapers and checkers: `GET /metrics` (Prometheus text
 * format) and `GET /healthz` ("ok"). Started by TuskServer when the descriptor
 * sets `[telemetry] metrics_port`; off by default.
 */
export async function startMetricsServer(port: number, options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const registry = options.registry ?? tuskMetrics().registry;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  });
  // Scrapers keep connections alive; they must not hold the process open on shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
