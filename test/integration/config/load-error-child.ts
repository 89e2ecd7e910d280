// Child process of load-errors.test.ts: hosts a service, then stops (with
// CHILD_ROLE=client: creates a client of it at top level, then closes it). Its
// descriptor is what generated code holds for the .tsk at CHILD_TSK: with
// CHILD_MODE=embedded the validated values embedded at generation (shown as
// CHILD_TSK_NAME) and no .tsk at run time; with CHILD_MODE=source the
// recorded source, read when the process loads it. A load-time error must
// end the process with one line.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { defineService, validateDescriptorDocument } from '../../../src/config/index.js';
import { closeClient, createClient } from '../../../src/client/index.js';
import { ServiceBase, TuskServer } from '../../../src/server/index.js';
import { parseTsk } from '../../../src/tsk/index.js';

const shownName = process.env.CHILD_TSK_NAME!;
const fromSource = process.env.CHILD_MODE === 'source';
const proto = { file: 'load/v1/load.proto', services: [{ name: 'load.v1.LoadService', methods: [{ name: 'Ping', kind: 'unary' as const }] }] };
const bytes = (): Uint8Array => new Uint8Array();
const ping = {
  name: 'Ping', localName: 'ping', path: '/load.v1.LoadService/Ping', kind: 'unary' as const,
  serializeRequest: bytes, deserializeRequest: () => ({}), serializeResponse: bytes, deserializeResponse: () => ({}),
};
const validation = fromSource ? undefined : validateDescriptorDocument(parseTsk(readFileSync(process.env.CHILD_TSK!, 'utf8'), shownName), proto);
if (validation?.raw === null) throw new Error(`the fixture does not validate: ${JSON.stringify(validation.errors)}`);
const where = fromSource
  ? { descriptorFile: 'load/v1/load.tsk', descriptorSource: pathToFileURL(process.env.CHILD_TSK!), config: {} }
  : { descriptorFile: shownName, config: validation!.raw! };

const descriptor = defineService({ name: 'load.v1.LoadService', protoFile: proto.file, methods: { ping }, ...where });
class LoadService extends ServiceBase {
  readonly descriptor = descriptor;
  async ping(): Promise<object> {
    return {};
  }
}

if (process.env.CHILD_ROLE === 'client') {
  // A one-off script: the client is made at module top level, nothing catches what it throws.
  const client = createClient(descriptor);
  process.stdout.write('client created\n');
  await closeClient(client);
} else {
  const server = new TuskServer({ host: '127.0.0.1' });
  server.add(new LoadService());
  await server.start();
  process.stdout.write(`started on ${server.port}\n`);
  await server.stop();
}
