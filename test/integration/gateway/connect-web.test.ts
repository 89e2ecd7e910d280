// @connectrpc/connect-web's own transport (fetch-based, as in a browser) against a real TuskGateway in front of
// real TuskServers. The service schema comes from @bufbuild/protobuf's registry over the FileDescriptorSet the
// generated descriptor embeds: no other code generation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createFileRegistry, fromBinary, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { startCatalog, type CatalogFixture } from './catalog-fixture.js';

let fixture: CatalogFixture;
let service: DescService;
before(async () => {
  fixture = await startCatalog();
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, Buffer.from(fixture.descriptor.fileDescriptorSet!, 'base64')));
  service = registry.getService('fixture.gateway.v1.CatalogService')!;
});
after(async () => {
  await fixture?.close();
});

// The registry's service is untyped (no generated schema), so the client's methods are reached by name.
type AnyClient = Record<string, (request: object, options?: object) => any>;
function clientOf(useBinaryFormat: boolean): AnyClient {
  return createClient(service, createConnectTransport({ baseUrl: fixture.base, useBinaryFormat })) as Client<DescService> as unknown as AnyClient;
}

for (const useBinaryFormat of [false, true]) {
  describe(`connect-web transport, ${useBinaryFormat ? 'binary' : 'JSON'}`, () => {
    test('unary: every field of the answer, int64 above 2^53 included', async () => {
      const item = await clientOf(useBinaryFormat).echo!({
        sku: 'cw', displayName: 'Connect Web', stock: 2n ** 60n + 1n, color: 2, tags: ['x', 'y'],
        updatedAt: timestampFromDate(new Date('2026-01-02T03:04:05Z')), dimensions: { width: 1.5, height: 2 }, active: true,
      });
      assert.equal(item.sku, 'cw');
      assert.equal(item.displayName, 'Connect Web');
      assert.equal(item.stock, 2n ** 60n + 1n);
      assert.equal(item.color, 2);
      assert.deepEqual(item.tags, ['x', 'y']);
      assert.equal(item.updatedAt.seconds, BigInt(Date.parse('2026-01-02T03:04:05Z') / 1000));
      assert.deepEqual([item.dimensions.width, item.dimensions.height], [1.5, 2]);
      assert.equal(item.active, true);
      assert.equal(fixture.seen.at(-1)!.request.stock, 2n ** 60n + 1n, 'the handler got the same int64');
    });

    test('server streaming: each message in order, then the end of the stream', async () => {
      const skus: string[] = [];
      const stocks: bigint[] = [];
      for await (const item of clientOf(useBinaryFormat).watchItems!({ count: 3, intervalMs: 0 })) {
        skus.push(item.sku);
        stocks.push(item.stock);
      }
      assert.deepEqual(skus, ['w0', 'w1', 'w2']);
      assert.deepEqual(stocks, [0n, 1n, 2n]);
    });

    test('an upstream error arrives as a ConnectError with its code and message', async () => {
      await assert.rejects(clientOf(useBinaryFormat).deleteItem!({ sku: 'gone', failWith: 'NOT_FOUND' }), (error: unknown) => {
        assert.ok(error instanceof ConnectError);
        assert.equal(error.code, Code.NotFound);
        assert.match(error.rawMessage, /told to fail with NOT_FOUND/);
        return true;
      });
    });

    test('a stream that fails midway ends with the error after the messages sent before it', async () => {
      const skus: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const item of clientOf(useBinaryFormat).watchItems!({ count: 5, failAfter: 2, failWith: 'UNAVAILABLE' })) skus.push(item.sku);
        })(),
        (error: unknown) => error instanceof ConnectError && error.code === Code.Unavailable,
      );
      assert.deepEqual(skus, ['w0', 'w1']);
    });
  });
}
