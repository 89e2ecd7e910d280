// Clients that present credentials, against a real grpc-js server that
// records the metadata it receives: bearer tokens, API keys, a function
// called per call, [dependencies] credentials from an env var, no
// forwarding of the parent's credentials by default, forward_auth, and the
// refusal to send credentials in plaintext off loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { closeClient, createClient } from '../../../src/client/index.js';
import type { ClientOptions } from '../../../src/client/client-options.js';
import { defineService, type ServiceDescriptor } from '../../../src/config/service-definition.js';
import type { RawDescriptor } from '../../../src/config/types.js';
import type { CallContext } from '../../../src/server/call-context.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { createInMemoryTransport } from '../../../src/testing/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { startEchoServer, type EchoServer } from '../client/echo-grpc-server.js';

let server: EchoServer;
/** The auth headers of each Echo call, keyed by the request's text. */
const received = new Map<string, { authorization?: string; apiKey?: string }[]>();
/** The authorization header of every call, by method. */
const authorizationByMethod: Array<[string, string | undefined]> = [];

before(async () => {
  server = await startEchoServer({
    onMetadata: (method, metadata) => authorizationByMethod.push([method, metadata.get('authorization')[0] as string | undefined]),
    onEcho: (request, _remaining, call) => {
      const [authorization] = call.metadata.get('authorization') as string[];
      const [apiKey] = call.metadata.get('x-api-key') as string[];
      const list = received.get(request.text) ?? [];
      list.push({ ...(authorization === undefined ? {} : { authorization }), ...(apiKey === undefined ? {} : { apiKey }) });
      received.set(request.text, list);
    },
  });
});
after(async () => {
  await server.stop();
});

const echo = echoDescriptor();

async function withClient(options: ClientOptions, run: (client: EchoServiceClient) => Promise<void>): Promise<void> {
  const client = createClient<EchoServiceClient>(echo, { endpoints: [server.address], ...options });
  try {
    await run(client);
  } finally {
    await closeClient(client);
  }
}

async function withClientOn(client: EchoServiceClient, run: (client: EchoServiceClient) => Promise<void>): Promise<void> {
  try {
    await run(client);
  } finally {
    await closeClient(client);
  }
}

function caller(entry: RawDescriptor): ServiceDescriptor {
  return defineService({ name: 'test.v1.CallerService', protoFile: 'test/v1/caller.proto', descriptorFile: null, methods: {}, config: { dependencies: { echo: { service: echo.name, ...entry } } } });
}

function parent(metadata: Record<string, string>): CallContext {
  return {
    service: 'test.v1.CallerService', method: 'Handle', metadata, deadline: undefined, signal: new AbortController().signal,
    peer: 'ipv4:127.0.0.1:1', trace: {}, requestId: 'req-1', logger: undefined as never, header: undefined as never, trailer: undefined as never,
  };
}

describe('client credentials', () => {
  test('a bearer token is sent as authorization: Bearer, an API key as x-api-key', async () => {
    await withClient({ credentials: { bearer: 'tok-1' } }, async (client) => {
      await client.echo({ text: 'bearer' });
    });
    await withClient({ credentials: { apiKey: 'key-1' } }, async (client) => {
      await client.echo({ text: 'api-key' });
    });
    assert.deepEqual(received.get('bearer'), [{ authorization: 'Bearer tok-1' }]);
    assert.deepEqual(received.get('api-key'), [{ apiKey: 'key-1' }]);
  });

  test('streaming calls of all three kinds carry the credentials too', async () => {
    authorizationByMethod.length = 0;
    await withClient({ credentials: { bearer: 'stream-token' } }, async (client) => {
      for await (const _ of client.countUp({ text: '2' }));
      await client.collect((async function* () { yield { text: 'a' }; })());
      for await (const _ of client.chat((async function* () { yield { text: 'b' }; })()));
    });
    assert.deepEqual(authorizationByMethod, [['CountUp', 'Bearer stream-token'], ['Collect', 'Bearer stream-token'], ['Chat', 'Bearer stream-token']]);
  });

  test('a function is called once per call, so a refreshed token goes with the next call', async () => {
    let issued = 0;
    await withClient({ credentials: async () => ({ bearer: `short-lived-${++issued}` }) }, async (client) => {
      await client.echo({ text: 'refresh' });
      await client.echo({ text: 'refresh' });
      await client.echo({ text: 'refresh' });
    });
    assert.equal(issued, 3);
    assert.deepEqual(received.get('refresh'), [1, 2, 3].map((n) => ({ authorization: `Bearer short-lived-${n}` })));
  });

  test('a credentials function that throws, or returns nothing usable, fails the call UNAUTHENTICATED without sending it', async () => {
    const before = server.calls.count;
    for (const credentials of [() => { throw new Error('token service down'); }, async () => { throw new Error('token service down'); }, () => ({ bearer: '' }), () => ({}) as never]) {
      await withClient({ credentials }, async (client) => {
        await assert.rejects(client.echo({ text: 'no-token' }), (error: unknown) => error instanceof TuskError && error.code === Code.UNAUTHENTICATED);
      });
    }
    assert.equal(server.calls.count, before, 'nothing reached the server');
    assert.equal(received.get('no-token'), undefined);
  });

  test('a fixed credential that metadata cannot carry is refused by createClient(), without quoting it', () => {
    assert.throws(() => createClient<EchoServiceClient>(echo, { endpoints: [server.address], credentials: { bearer: 'two\nlines-secret' } }), (error: Error) => error instanceof TypeError && !error.message.includes('secret'));
  });

  test('[dependencies] credentials { bearer_env } reads the variable at each call; unset is UNAUTHENTICATED naming the variable, not a value', async () => {
    const variable = 'TUSK_TEST_ECHO_TOKEN';
    const options = { caller: caller({ credentials: { bearer_env: variable } }) };
    try {
      process.env[variable] = 'env-token-1';
      await withClient(options, async (client) => {
        await client.echo({ text: 'from-env' });
        process.env[variable] = 'env-token-2';
        await client.echo({ text: 'from-env' });
        delete process.env[variable];
        await assert.rejects(client.echo({ text: 'from-env' }), (error: unknown) => error instanceof TuskError && error.code === Code.UNAUTHENTICATED && error.message.includes(variable));
      });
    } finally {
      delete process.env[variable];
    }
    assert.deepEqual(received.get('from-env'), [{ authorization: 'Bearer env-token-1' }, { authorization: 'Bearer env-token-2' }]);
  });

  test('{ parent: ctx } does not forward the incoming credentials: the client calls with its own identity', async () => {
    const incoming = parent({ authorization: 'Bearer end-user', 'x-api-key': 'end-user-key' });
    await withClient({}, async (client) => {
      await client.echo({ text: 'no-forward' }, { parent: incoming });
    });
    await withClient({ credentials: { bearer: 'service-identity' } }, async (client) => {
      await client.echo({ text: 'own-identity' }, { parent: incoming });
    });
    assert.deepEqual(received.get('no-forward'), [{}]);
    assert.deepEqual(received.get('own-identity'), [{ authorization: 'Bearer service-identity' }]);
  });

  test('forward_auth: true passes the incoming authorization and x-api-key on; without them the own credentials go', async () => {
    const options = { caller: caller({ forward_auth: true }), credentials: { bearer: 'service-identity' } };
    await withClient(options, async (client) => {
      await client.echo({ text: 'forwarded' }, { parent: parent({ authorization: 'Bearer end-user', 'x-api-key': 'end-user-key' }) });
      await client.echo({ text: 'forwarded' }, { parent: parent({}) });
    });
    assert.deepEqual(received.get('forwarded'), [{ authorization: 'Bearer end-user', apiKey: 'end-user-key' }, { authorization: 'Bearer service-identity' }]);
  });

  test('an in-memory transport never leaves the process: its non-address "in-memory" gets the credentials', async () => {
    const service = new TestEchoService('in-memory-echo');
    await withClientOn(createClient<EchoServiceClient>(service.descriptor, { transport: createInMemoryTransport(service), credentials: { apiKey: 'in-process-key' } }), async (client) => {
      await client.echo({ text: 'in-memory' });
    });
    assert.equal(service.calls[0]?.ctx.metadata['x-api-key'], 'in-process-key');
  });

  test('credentials over plaintext to a non-loopback address are refused (FAILED_PRECONDITION, unsent) unless allowed', async (t) => {
    const external = Object.values(networkInterfaces()).flat().find((address) => address !== undefined && !address.internal && address.family === 'IPv4');
    if (external === undefined) {
      t.diagnostic('no non-internal IPv4 interface: the rule is covered by test/unit/client/insecure-credentials.test.ts');
      return;
    }
    const address = `${external.address}:${server.port}`; // the server listens on 127.0.0.1 only: nothing can arrive
    const client = createClient<EchoServiceClient>(echo, { endpoints: [address], credentials: { bearer: 'must-not-leak' }, retry: { maxAttempts: 1 } });
    try {
      await assert.rejects(client.echo({ text: 'plaintext' }), (error: unknown) =>
        error instanceof TuskError && error.code === Code.FAILED_PRECONDITION && /allow_insecure_credentials/.test(error.message) && !error.message.includes('must-not-leak'));
    } finally {
      await closeClient(client);
    }
    const allowed = createClient<EchoServiceClient>(echo, { endpoints: [address], credentials: { bearer: 'allowed' }, allowInsecureCredentials: true, retry: { maxAttempts: 1 }, timeout: 2_000 });
    try {
      // Allowed, it goes to the wire: refused there by the network (nothing listens), not by the rule.
      await assert.rejects(allowed.echo({ text: 'plaintext' }), (error: unknown) => error instanceof TuskError && error.code !== Code.FAILED_PRECONDITION);
    } finally {
      await closeClient(allowed);
    }
  });
});
