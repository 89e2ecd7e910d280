// Child-process entry: a real TuskServer hosting the EchoService, registered in etcd by the server runtime itself
// (TUSK_DISCOVERY=etcd, TUSK_ETCD_ENDPOINTS from the parent). Prints "listening <port>" once start() resolved (bound
// and registered) and "create <text>" per Create execution. With ECHO_AWAIT_GO=1 it prints "armed" and waits for a
// line on stdin before it starts. Pipes to the parent are synchronous on Linux, so every
// line printed before a kill -9 reaches the parent.
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { TuskServer } from '../../../src/server/index.js';
import { EchoServiceBase, type EchoRequest, type EchoResponse } from '../../helpers/echo-service.js';

/** Named by the parent, so a reply says which child served it even before the port is known. */
const instance = process.env.ECHO_INSTANCE ?? `pid-${process.pid}`;

class CountingEchoService extends EchoServiceBase {
  async echo(request: EchoRequest): Promise<EchoResponse> {
    if (request.delayMs) await sleep(request.delayMs);
    return { text: request.text, instance };
  }

  async create(request: EchoRequest): Promise<EchoResponse> {
    process.stdout.write(`create ${request.text}\n`);
    if (request.delayMs) await sleep(request.delayMs);
    return { text: request.text, instance };
  }

  async *countUp(): AsyncIterable<EchoResponse> {}

  async collect(): Promise<EchoResponse> {
    return { text: '', instance };
  }

  async *chat(): AsyncIterable<EchoResponse> {}
}

if (process.env.ECHO_AWAIT_GO === '1') {
  // Armed: loaded and ready to start at once on "go", so a test decides when an instance returns.
  process.stdout.write('armed\n');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
}
const server = new TuskServer({ host: '127.0.0.1', port: Number(process.env.ECHO_PORT ?? 0), reflection: false });
server.add(new CountingEchoService({ discovery: { prefix: process.env.ECHO_PREFIX ?? 'services', ttl: process.env.ECHO_TTL ?? '10s' } }));
await server.start();
process.stdout.write(`listening ${server.port}\n`);
