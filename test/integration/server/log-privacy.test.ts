// Issue 9 and 10: the access log carries each failed call's status message at info level (error for server faults), but
// neither error details (they may hold personal data) nor request fields, and neither does any other server line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { Code } from '../../../src/status/codes.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { unary } from '../../helpers/server-raw-client.js';
import { waitUntil } from '../../helpers/wait.js';

const PERSONAL = 'jane.doe@example.com';

let fixture: EchoServerFixture;
before(async () => {
  fixture = await startEchoServer();
});
after(() => fixture.close());

test('failed calls: the message is logged, the error details and the request fields are not', async () => {
  // TestEchoService throws TuskError(fail, 'failed on purpose', { field: 'text', reason: 'bad' }).
  for (const fail of [Code.NOT_FOUND, Code.INTERNAL]) {
    await assert.rejects(unary(fixture.client, 'echo', { text: PERSONAL, fail }), (error: grpc.ServiceError) => error.code === (fail as number));
  }
  await waitUntil(() => fixture.logs.filter((line) => line.msg === 'call failed').length === 2, 5_000, 'two access log lines');
  const failed = fixture.logs.filter((line) => line.msg === 'call failed');
  assert.deepEqual(failed.map((line) => [line.level, line.status, line.message]), [
    [30, 'NOT_FOUND', 'failed on purpose'],
    [50, 'INTERNAL', 'failed on purpose'],
  ]);
  const handlerFailed = fixture.logs.find((line) => line.msg === 'handler failed');
  assert.equal((handlerFailed?.err as { message?: string } | undefined)?.message, 'failed on purpose', 'the server fault is logged with its message');
  for (const line of fixture.logs) {
    const text = JSON.stringify(line);
    assert.ok(!text.includes(PERSONAL), `a request field was logged: ${text}`);
    assert.ok(!text.includes('"reason":"bad"'), `error details were logged: ${text}`);
  }
});

test('the "serving" line shows the bind address and the advertised address', async () => {
  const advertised = await startEchoServer({ host: '0.0.0.0', advertiseHost: 'echo-7.internal' });
  try {
    const serving = advertised.logs.find((line) => line.msg === 'serving');
    assert.equal(serving?.bind, `0.0.0.0:${advertised.server.port}`);
    assert.equal(serving?.address, `echo-7.internal:${advertised.server.port}`);
  } finally {
    await advertised.close();
  }
});

test('docs/observability.md shows the access-log line with the fields the server really writes', async () => {
  const docs = await readFile(new URL('../../../docs/observability.md', import.meta.url), 'utf8');
  const documented = /^\{"level":"info".*"msg":"call failed"\}$/m.exec(docs)?.[0];
  assert.ok(documented, 'docs/observability.md shows a JSON "call failed" line');
  await assert.rejects(unary(fixture.client, 'echo', { text: 'x', fail: Code.NOT_FOUND }));
  const real = await waitUntil(() => fixture.logs.findLast((line) => line.msg === 'call failed' && line.status === 'NOT_FOUND'), 5_000, 'an access log line');
  const keys = (line: object): string[] => Object.keys(line).filter((key) => !['pid', 'hostname'].includes(key)).sort();
  const shown = JSON.parse(documented) as Record<string, unknown>;
  assert.deepEqual(keys(shown), keys({ ...real, name: 'tusk-grpc' }));
  assert.match(String(shown.peer), /^[\d.]+:\d+$/, 'peer is written as host:port');
  assert.match(String(real.peer), /^[\d.]+:\d+$/);
});
