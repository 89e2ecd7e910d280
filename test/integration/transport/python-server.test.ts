// Issue 12: Debian's python3-grpcio (grpc-core underneath) as a server for the
// lean client: a unary call with metadata, a server stream, an error with a
// non-ASCII message and details; every response gzip-compressed by Python.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Http2ClientTransport } from '../../../src/client/http2/index.js';
import type { TransportCallOptions } from '../../../src/client/transport.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { NON_ASCII_MESSAGE, decode, encode } from './bare-grpc-server.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python_lean_server.py', import.meta.url));
const call = (extra: Partial<TransportCallOptions> = {}): TransportCallOptions => ({ metadata: {}, deadline: Date.now() + 5_000, signal: undefined, ...extra });

let python: ChildProcess;
let transport: Http2ClientTransport;
before(async () => {
  python = spawn(PYTHON, [SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  python.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`python server not ready in 15 s: ${stderr}`)), 15_000);
    python.once('exit', (code) => reject(new Error(`python server exited ${code}: ${stderr}`)));
    createInterface({ input: python.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  transport = new Http2ClientTransport(`127.0.0.1:${port}`);
});
after(async () => {
  transport?.close();
  if (python.exitCode === null) {
    const exited = new Promise((resolve) => python.once('exit', resolve));
    python.kill('SIGKILL');
    await exited;
  }
});

test('python grpcio server: unary with metadata both ways, a gzip-compressed response', async () => {
  let header: Readonly<Record<string, string>> | undefined;
  const response = await transport.unary('/test.v1.EchoService/Echo', encode({ text: 'to python' }), call({ metadata: { 'x-tenant': 'acme' }, onHeader: (value) => (header = value) }));
  assert.deepEqual(JSON.parse(Buffer.from(response).toString()), { text: 'to python', instance: 'python', tenant: 'acme' });
  assert.equal(header?.['x-from'], 'python');
  assert.deepEqual(Buffer.from(header!['x-blob-bin']!, 'base64'), Buffer.from([0, 255]));
});

test('python grpcio server: a server stream', async () => {
  const texts: string[] = [];
  for await (const message of transport.serverStream('/test.v1.EchoService/CountUp', encode({ text: '4' }), call())) texts.push(decode(message).text);
  assert.deepEqual(texts, ['0', '1', '2', '3']);
});

test('python grpcio server: an error with a non-ASCII message and google.rpc.Status details', async () => {
  await assert.rejects(transport.unary('/test.v1.EchoService/Echo', encode({ text: 'status:9' }), call()), (error: TuskError) => {
    assert.equal(error.code, Code.FAILED_PRECONDITION);
    assert.equal(error.message, NON_ASCII_MESSAGE);
    assert.equal(error.details?.errorInfo?.reason, 'ON_PURPOSE');
    return true;
  });
});
