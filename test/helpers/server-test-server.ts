// Starts a TuskServer hosting TestEchoService on 127.0.0.1 with a static
// registry (nothing registered) and logs captured in memory.
import { pino } from 'pino';
import { StaticRegistry } from '../../src/discovery/static-registry.js';
import { TuskServer } from '../../src/server/tusk-server.js';
import type { TuskServerOptions } from '../../src/server/server-options.js';
import type { RawDescriptor } from '../../src/config/types.js';
import { TestEchoService } from './server-echo-service.js';
import { rawEchoClient, type RawEchoClient } from './server-raw-client.js';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface EchoServerFixture {
  readonly server: TuskServer;
  readonly service: TestEchoService;
  readonly address: string;
  readonly client: RawEchoClient;
  readonly logs: LogLine[];
  close(): Promise<void>;
}

export function captureLogger(logs: LogLine[]) {
  return pino({ level: 'trace' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
}

export async function startEchoServer<Service extends TestEchoService = TestEchoService>(
  options: TuskServerOptions = {},
  config: RawDescriptor = {},
  service: Service = new TestEchoService('echo-1', config) as Service,
): Promise<EchoServerFixture> {
  const logs: LogLine[] = [];
  const server = new TuskServer({
    host: '127.0.0.1',
    port: 0,
    registry: new StaticRegistry([]),
    handleSignals: false,
    logger: captureLogger(logs),
    ...options,
  });
  server.add(service);
  await server.start();
  const address = `127.0.0.1:${server.port}`;
  const client = rawEchoClient(address);
  return {
    server,
    service,
    address,
    client,
    logs,
    close: async () => {
      client.close();
      await server.stop();
    },
  };
}
