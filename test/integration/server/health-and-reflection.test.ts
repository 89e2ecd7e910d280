import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { defineService, type ServiceDescriptor } from '../../../src/config/index.js';
import { ServiceBase } from '../../../src/server/service-base.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { captureLogger, type LogLine } from '../../helpers/server-test-server.js';
import { rawEchoClient, unary, waitFor } from '../../helpers/server-raw-client.js';
import { checkHealth, healthClient } from './health-client.js';
import { onServerTransport, TRANSPORTS } from '../../helpers/transports.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../..');

/** A FileDescriptorSet built by buf from the fixture proto, base64 as generated descriptors carry it. */
function buildGreeterDescriptorSet(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tusk-reflection-'));
  try {
    const out = join(dir, 'set.binpb');
    execFileSync(join(repoRoot, 'node_modules/.bin/buf'), ['build', join(here, 'fixtures'), '-o', out], { stdio: 'pipe' });
    return readFileSync(out).toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const json = {
  encode: (value: unknown) => new TextEncoder().encode(JSON.stringify(value)),
  decode: (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)),
};

class GreeterService extends ServiceBase {
  readonly descriptor: ServiceDescriptor;
  constructor(fileDescriptorSet: string) {
    super();
    this.descriptor = defineService({
      name: 'fixture.greeter.v1.GreeterService',
      protoFile: 'greeter/v1/greeter.proto',
      descriptorFile: null,
      config: {},
      fileDescriptorSet,
      methods: {
        sayHello: {
          name: 'SayHello',
          localName: 'sayHello',
          path: '/fixture.greeter.v1.GreeterService/SayHello',
          kind: 'unary',
          serializeRequest: json.encode,
          deserializeRequest: json.decode,
          serializeResponse: json.encode,
          deserializeResponse: json.decode,
        },
      },
    });
  }
  async sayHello(request: { name: string }): Promise<{ message: string }> {
    return { message: `hello ${request.name}` };
  }
}

const SERVING = 'SERVING';
const NOT_SERVING = 'NOT_SERVING';

/** Built once for both transports' servers (buf takes a while). */
let greeterDescriptorSet: string;
before(() => {
  greeterDescriptorSet = buildGreeterDescriptorSet();
});

for (const transport of TRANSPORTS) {
  let server: TuskServer;
  let echo: TestEchoService;
  let address: string;
  const logs: LogLine[] = [];
  before(async () => {
    echo = new TestEchoService('echo-1', onServerTransport(transport));
    server = new TuskServer({ host: '127.0.0.1', port: 0, registry: new StaticRegistry([]), handleSignals: false, logger: captureLogger(logs) });
    server.add(echo).add(new GreeterService(greeterDescriptorSet));
    await server.start();
    address = `127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server.stop();
  });

  test(`[${transport}] reflection lists the services that carry a descriptor set and returns their files with imports`, async () => {
    const definition = protoLoader.loadSync(join(repoRoot, 'node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'), {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as any;
    const client = new loaded.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure()) as grpc.Client & {
      ServerReflectionInfo: () => grpc.ClientDuplexStream<object, any>;
    };
    try {
      const stream = client.ServerReflectionInfo();
      const responses = stream[Symbol.asyncIterator]();
      stream.write({ list_services: '*' });
      const listed = (await responses.next()).value;
      const names = listed.list_services_response.service.map((entry: { name: string }) => entry.name);
      assert.deepEqual(names.sort(), ['fixture.greeter.v1.GreeterService', 'grpc.health.v1.Health'], 'the echo fixture has no descriptor set and is left out; health is in');

      stream.write({ file_containing_symbol: 'fixture.greeter.v1.GreeterService' });
      const files = (await responses.next()).value.file_descriptor_response.file_descriptor_proto as Buffer[];
      const fileNames = files.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name).sort();
      assert.deepEqual(fileNames, ['google/protobuf/timestamp.proto', 'greeter/v1/greeter.proto']);
      const greeter = files.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes)).find((file) => file.name === 'greeter/v1/greeter.proto')!;
      assert.deepEqual(greeter.service.map((svc) => svc.method.map((m) => m.name)), [['SayHello']]);

      // Reflection-driven tools (grpcurl, grpcui) can find and call the health service.
      stream.write({ file_containing_symbol: 'grpc.health.v1.Health' });
      const healthFiles = ((await responses.next()).value.file_descriptor_response.file_descriptor_proto as Buffer[]).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
      const health = healthFiles.find((file) => file.service.some((svc) => svc.name === 'Health'));
      assert.equal(health?.package, 'grpc.health.v1');
      assert.deepEqual(health.service.find((svc) => svc.name === 'Health')!.method.map((m) => m.name).filter((name) => name !== 'List'), ['Check', 'Watch']);
      stream.end();
    } finally {
      client.close();
    }
  });

  test(`[${transport}] health answers SERVING per service and overall, then NOT_SERVING while draining; in-flight calls finish`, async () => {
    const health = healthClient(address);
    const echoClient = rawEchoClient(address);
    try {
      assert.equal(await checkHealth(health, ''), SERVING);
      assert.equal(await checkHealth(health, 'test.v1.EchoService'), SERVING);
      assert.equal(await checkHealth(health, 'fixture.greeter.v1.GreeterService'), SERVING);
      await assert.rejects(checkHealth(health, 'no.such.Service'), (error: grpc.ServiceError) => error.code === grpc.status.NOT_FOUND);

      const statuses: string[] = [];
      const watch = health.watch({ service: 'test.v1.EchoService' }) as grpc.ClientReadableStream<{ status: string }>;
      watch.on('data', (update) => statuses.push(update.status));
      const watchEnded = new Promise<void>((resolve) => {
        watch.on('error', () => resolve());
        watch.on('end', () => resolve());
      });
      await waitFor(() => statuses.length === 1, 'the first health update');
      assert.deepEqual(statuses, [SERVING]);

      // A slow call is in flight when the drain starts.
      const completedBefore = echo.completed;
      const slow = unary(echoClient, 'echo', { text: 'slow', delayMs: 1_500 });
      await waitFor(() => echo.inFlight === 1, 'the slow call to reach the handler');
      const stopped = server.stop();
      await waitFor(() => statuses.includes(NOT_SERVING), 'NOT_SERVING on the watch');
      assert.equal(echo.inFlight, 1, 'NOT_SERVING is announced while the call is still running');

      const { response } = await slow;
      assert.equal(response.text, 'slow');
      await stopped;
      assert.equal(echo.completed, completedBefore + 1);
      await watchEnded;
      assert.deepEqual(statuses, [SERVING, NOT_SERVING]);
      const drained = logs.find((line) => line.msg === 'stopped');
      assert.equal(drained?.drained, true);
      // The server no longer accepts calls.
      await assert.rejects(unary(echoClient, 'echo', { text: 'late' }, { deadline: Date.now() + 2_000 }), (error: grpc.ServiceError) =>
        [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED].includes(error.code),
      );
    } finally {
      health.close();
      echoClient.close();
    }
  });
}
