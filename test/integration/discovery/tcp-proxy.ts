// A loopback TCP proxy that can cut one client off from etcd while other
// clients still reach it: the way to make a watcher miss history.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** "127.0.0.1:PORT" to give to the client under test. */
  readonly endpoint: string;
  /** Drops every connection and refuses new ones. */
  block(): Promise<void>;
  /** Accepts connections again on the same port. */
  unblock(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [targetHost, targetPort] = splitHostPort(target);
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const makeServer = (): Server =>
    createServer((downstream) => {
      track(downstream);
      const upstream = connect(targetPort, targetHost);
      track(upstream);
      downstream.pipe(upstream);
      upstream.pipe(downstream);
      downstream.once('close', () => upstream.destroy());
      upstream.once('close', () => downstream.destroy());
    });
  let server: Server | null = makeServer();
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => {
        const address = server!.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  const port = await listen(0);
  const shutDown = async (): Promise<void> => {
    const closing = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  return {
    endpoint: `127.0.0.1:${port}`,
    block: shutDown,
    unblock: async () => {
      if (server) return;
      server = makeServer();
      await listen(port);
    },
    close: shutDown,
  };
}

function splitHostPort(address: string): [string, number] {
  const index = address.lastIndexOf(':');
  return [address.slice(0, index), Number(address.slice(index + 1))];
}
