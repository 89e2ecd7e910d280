// h2load (Debian's nghttp2-client) as the load for the server benchmark: a C
// client over several HTTP/2 connections saturates the server, where one Node
// grpc-js client caps it. Every request is the same unary gRPC call.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './closed-loop.js';

export interface H2loadLoad {
  /** "127.0.0.1:port" */
  readonly address: string;
  /** "/echo.v1.EchoService/Echo" */
  readonly path: string;
  /** The serialized request message (without the gRPC frame header). */
  readonly message: Uint8Array;
  readonly connections: number;
  /** Streams in flight per connection. */
  readonly streams: number;
  readonly seconds: number;
  /** https:// instead of http:// (h2load negotiates h2 by ALPN; it does not verify the certificate). */
  readonly tls?: boolean;
  /** Extra request headers, "name: value" (e.g. the bearer token). */
  readonly headers?: readonly string[];
}

/** One length-prefixed gRPC message: flag byte 0 (uncompressed), 4-byte big-endian length, the bytes. */
function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}

function run(args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('h2load', args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => (error ? reject(new Error(`h2load: ${error.message}\n${stderr}`)) : resolve(stdout))));
}

/** Runs h2load for `seconds` against one server, reading that server's CPU counter around it. */
export async function h2loadRound(load: H2loadLoad, serverCpuMicros: () => Promise<number>): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'h2load-'));
  try {
    const body = join(dir, 'request.bin');
    writeFileSync(body, grpcFrame(load.message));
    const cpuBefore = await serverCpuMicros();
    const output = await run([
      '-c', String(load.connections), '-m', String(load.streams), '-D', String(load.seconds), '-d', body,
      '-H', 'content-type: application/grpc', '-H', 'te: trailers', ...(load.headers ?? []).flatMap((header) => ['-H', header]),
      `${load.tls ? 'https' : 'http'}://${load.address}${load.path}`,
    ], (load.seconds + 30) * 1000);
    const cpuAfter = await serverCpuMicros();
    return parse(output, cpuAfter - cpuBefore);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(output: string, serverCpuMicros: number): LoadResult {
  const finished = /finished in ([\d.]+)(m?s), ([\d.]+) req\/s/.exec(output);
  const requests = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(output);
  const latency = /time for request:\s+(\S+)\s+(\S+)\s+(\S+)/.exec(output);
  if (!finished || !requests || !latency) throw new Error(`h2load printed no summary:\n${output}`);
  if (Number(requests[2]) > 0 || Number(requests[3]) > 0) throw new Error(`h2load saw failed requests:\n${output}`);
  const seconds = Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1);
  const calls = Number(requests[1]);
  // h2load reports min, max and mean per request, not percentiles: the mean stands in for p50 and the max for p99.
  return { calls, seconds, latencies: [toMs(latency[3]!), toMs(latency[2]!)], serverCpuMicros };
}

function toMs(text: string): number {
  const value = Number.parseFloat(text);
  if (text.endsWith('us')) return value / 1000;
  if (text.endsWith('ms')) return value;
  return value * 1000;
}
