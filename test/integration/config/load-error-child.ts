// Child process of load-errors.test.ts: hosts a service whose descriptor holds
// exactly what protoc-gen-tusk embeds for the .tsk at CHILD_TSK (shown as
// CHILD_TSK_NAME), then stops. A load-time error must end it with one line.
import { readFileSync } from 'node:fs';
import { defineService, validateDescriptorDocument } from '../../../src/config/index.js';
import { ServiceBase, TuskServer } from '../../../src/server/index.js';
import { parseTsk } from '../../../src/tsk/index.js';

const shownName = process.env.CHILD_TSK_NAME!;
const proto = { file: 'load/v1/load.proto', services: [{ name: 'load.v1.LoadService', methods: [{ name: 'Ping', kind: 'unary' as const }] }] };
const bytes = (): Uint8Array => new Uint8Array();
const ping = {
  name: 'Ping', localName: 'ping', path: '/load.v1.LoadService/Ping', kind: 'unary' as const,
  serializeRequest: bytes, deserializeRequest: () => ({}), serializeResponse: bytes, deserializeResponse: () => ({}),
};
const validation = validateDescriptorDocument(parseTsk(readFileSync(process.env.CHILD_TSK!, 'utf8'), shownName), proto);
if (validation.raw === null) throw new Error(`the fixture does not validate: ${JSON.stringify(validation.errors)}`);

const descriptor = defineService({ name: 'load.v1.LoadService', protoFile: proto.file, descriptorFile: shownName, methods: { ping }, config: validation.raw });
class LoadService extends ServiceBase {
  readonly descriptor = descriptor;
  async ping(): Promise<object> {
    return {};
  }
}

const server = new TuskServer({ host: '127.0.0.1' });
server.add(new LoadService());
await server.start();
process.stdout.write(`started on ${server.port}\n`);
await server.stop();
