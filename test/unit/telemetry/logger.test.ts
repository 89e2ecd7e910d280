import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { callLogFields, callOutcomeFields, createLogger, findPrettyFactory, resolveLogLevel } from '../../../src/telemetry/logger.js';
import type { Logger } from '../../../src/telemetry/logger-types.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';

function capture(isTTY = false): { lines: string[]; sink: { write(s: string): void; isTTY: boolean } } {
  const lines: string[] = [];
  return { lines, sink: { write: (s: string) => void lines.push(s), isTTY } };
}

describe('createLogger', () => {
  it('logs a TuskError as `err` with its type, message, code and stack, never its details, on child loggers too', () => {
    const { lines, sink } = capture();
    const error = new TuskError(Code.INVALID_ARGUMENT, 'bad email', { fieldViolations: [{ field: 'email', description: 'jane.doe@example.com is taken' }] });
    createLogger({ destination: sink, env: {} }).child({ service: 'user.v1.UserService' }).error({ err: error }, 'handler failed');
    const { err } = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    assert.deepEqual(Object.keys(err).sort(), ['code', 'message', 'stack', 'type']);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.ok(!lines[0]!.includes('jane.doe'), lines[0]);
  });

  it('writes JSON lines with level names, ISO time, and the call fields on child loggers', () => {
    const { lines, sink } = capture();
    const logger: Logger = createLogger({ destination: sink, env: {} });
    const call = logger.child(callLogFields({
      service: 'user.v1.UserService', method: 'GetUser', requestId: 'req-1',
      trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' },
    }));
    call.info(callOutcomeFields(Code.NOT_FOUND, 12.34567), 'call finished');
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]!);
    assert.equal(record.level, 'info');
    assert.match(record.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(record.msg, 'call finished');
    assert.equal(record.name, 'tusk-grpc');
    for (const [key, value] of Object.entries({
      service: 'user.v1.UserService', method: 'GetUser', request_id: 'req-1', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7', status: 'NOT_FOUND', code: Code.NOT_FOUND, duration_ms: 12.346,
    })) assert.equal(record[key], value, key);
  });

  it('takes the level from TUSK_LOG_LEVEL over the configured one', () => {
    const { lines, sink } = capture();
    const logger = createLogger({ destination: sink, level: 'debug', env: { TUSK_LOG_LEVEL: 'warn' } });
    logger.info('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    assert.deepEqual(lines.map((l) => JSON.parse(l).msg), ['shown']);
    assert.equal(resolveLogLevel('debug', {}), 'debug');
    assert.equal(resolveLogLevel(undefined, {}), 'info');
    assert.equal(resolveLogLevel(undefined, { TUSK_LOG_LEVEL: 'LOUD' }), 'info');
    assert.equal(resolveLogLevel(undefined, { TUSK_LOG_LEVEL: 'ERROR' }), 'error');
  });

  it('writes readable lines on a terminal (pino-pretty, synchronously)', () => {
    const { lines, sink } = capture(true);
    createLogger({ destination: sink, env: {} }).child({ service: 'user.v1.UserService', method: 'GetUser' })
      .warn({ status: 'UNAVAILABLE', duration_ms: 3.5 }, 'call failed');
    assert.equal(lines.length, 1, 'the line is written before createLogger().warn() returns');
    const plain = lines[0]!.replace(/\u001b\[[0-9;]*m/g, '');
    assert.match(plain, /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: user\.v1\.UserService\/GetUser call failed \{"status":"UNAVAILABLE","duration_ms":3\.5\}\n$/);
  });

  it('is JSON, not readable lines, when the destination is not a terminal', () => {
    const { lines, sink } = capture(false);
    createLogger({ destination: sink, env: {} }).info({ status: 'OK' }, 'done');
    assert.equal(JSON.parse(lines[0]!).status, 'OK');
  });
});

describe('pino-pretty is optional', () => {
  it('is found where installed, and missing means JSON rather than a crash', () => {
    assert.equal(typeof findPrettyFactory(createRequire(import.meta.url)), 'function');
    const missing = (id: string): never => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    assert.equal(findPrettyFactory(missing), undefined);
    const broken = (): never => {
      throw new SyntaxError('bad install');
    };
    assert.throws(() => findPrettyFactory(broken), SyntaxError);
  });
});

describe('docs/observability.md', () => {
  it('shows the readable line exactly as the logger prints it', async () => {
    const docs = await readFile(new URL('../../../docs/observability.md', import.meta.url), 'utf8');
    const shown = /^\[(\d\d:\d\d:\d\d\.\d{3})\] ([A-Z]+): (\S+)\/(\S+) (.+?) (\{.*\})$/m.exec(docs.slice(docs.indexOf('## Logs')));
    assert.ok(shown, 'docs/observability.md has a readable log line under "## Logs"');
    const [line, time, level, service, method, msg, json] = shown;
    const { lines, sink } = capture(false);
    const logger = createLogger({ destination: sink, pretty: true, level: 'trace', env: {} });
    logger.child({ service, method })[level!.toLowerCase() as 'info'](JSON.parse(json!), msg);
    assert.equal(lines[0]!.replace(/^\[[^\]]+\]/, `[${time}]`), `${line}\n`);
  });
});
