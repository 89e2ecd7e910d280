import { createRequire } from 'node:module';
import { pino, type Level } from 'pino';
import { codeName } from '../status/codes.js';
import { isTuskError, type TuskError } from '../status/tusk-error.js';
import type { TraceContext } from '../server/call-context.js';
import type { Logger } from './logger-types.js';

/** Anything that takes whole lines of text, e.g. process.stdout. */
export interface LineSink {
  write(text: string): unknown;
}

export interface LoggerOptions {
  /** Used when TUSK_LOG_LEVEL is unset, e.g. the descriptor's `[telemetry] log_level`. Default "info". */
  readonly level?: string;
  /** pino's `name` field. Default "tusk-grpc". */
  readonly name?: string;
  /**
   * Readable lines instead of JSON. Default: when the destination is a terminal (stdout by default).
   * Needs pino-pretty (a devDependency that `tusk-grpc init` adds, not a dependency of tusk-grpc); JSON without it.
   */
  readonly pretty?: boolean;
  /** Where lines go. Default stdout. */
  readonly destination?: LineSink & { readonly isTTY?: boolean };
  /** Read for TUSK_LOG_LEVEL. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** TUSK_LOG_LEVEL wins over the configured level (the environment overrides descriptors); unknown names fall back to info. */
export function resolveLogLevel(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): Level | 'silent' {
  const wanted = (env.TUSK_LOG_LEVEL || configured || 'info').trim().toLowerCase();
  return (LEVELS.includes(wanted) ? wanted : 'info') as Level | 'silent';
}

/** A TuskError as logged: what and where, never its `details` (field errors may quote personal data). */
export function loggableError(error: TuskError): Record<string, unknown> {
  return { type: error.name, message: error.message, code: error.codeName, stack: error.stack };
}

/**
 * The runtime's logger: pino JSON lines (level as a name, ISO time) by
 * default; readable lines on a terminal. Child loggers carry the call's
 * fields, see `callLogFields`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const pretty = options.pretty ?? destination.isTTY === true;
  const pinoOptions: pino.LoggerOptions = {
    name: options.name ?? 'tusk-grpc',
    level: resolveLogLevel(options.level, options.env),
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Child loggers (one per call) inherit this: no per-call wrapper is needed to keep details out.
    serializers: { err: (error: unknown) => (isTuskError(error) ? loggableError(error) : pino.stdSerializers.err(error as Error)) },
  };
  const prettyFactory = pretty ? loadPrettyFactory() : undefined;
  if (prettyFactory) return pino(pinoOptions, readableLines(destination, prettyFactory));
  // No destination given: pino's own fast writer on fd 1. Otherwise anything with write(string) takes JSON lines.
  return options.destination ? pino(pinoOptions, options.destination as pino.DestinationStream) : pino(pinoOptions);
}

/**
 * pino-pretty's formatter applied in-process and synchronously (not as a
 * worker transport), so a line is on the terminal before the next statement
 * runs, exactly as with JSON.
 */
function readableLines(destination: LineSink & { readonly isTTY?: boolean }, prettyFactory: PrettyFactory): pino.DestinationStream {
  const prettify = prettyFactory({
    colorize: destination.isTTY === true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name,service,method',
    messageFormat: '{if service}{service}{if method}/{method}{end} {end}{msg}',
  });
  return { write: (jsonLine: string) => void destination.write(prettify(jsonLine)) };
}

type PrettyFactory = (options: Record<string, unknown>) => (jsonLine: string) => string;

/**
 * pino-pretty's formatter, or undefined where it is not installed: it is a
 * devDependency of the user's project, not a dependency of tusk-grpc, so a
 * production install (`npm ci --omit=dev`) does not carry it and logs JSON,
 * which is what log collectors want anyway.
 */
export function findPrettyFactory(load: (id: string) => unknown): PrettyFactory | undefined {
  try {
    return (load('pino-pretty') as { prettyFactory: PrettyFactory }).prettyFactory;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

let installedPrettyFactory: { readonly factory: PrettyFactory | undefined } | undefined;

function loadPrettyFactory(): PrettyFactory | undefined {
  installedPrettyFactory ??= { factory: findPrettyFactory(createRequire(import.meta.url)) };
  return installedPrettyFactory.factory;
}

/** The fields a call-bound logger carries: service, method, request_id, trace_id, span_id. */
export function callLogFields(call: {
  readonly service: string;
  readonly method: string;
  readonly requestId?: string;
  readonly trace?: TraceContext;
}): Record<string, string> {
  const fields: Record<string, string> = { service: call.service, method: call.method };
  if (call.requestId) fields.request_id = call.requestId;
  if (call.trace?.traceId) fields.trace_id = call.trace.traceId;
  if (call.trace?.spanId) fields.span_id = call.trace.spanId;
  return fields;
}

/** The fields of a finished call's log line: status (gRPC code name), code, duration_ms. */
export function callOutcomeFields(code: number, durationMs: number): { status: string; code: number; duration_ms: number } {
  return { status: codeName(code), code, duration_ms: Math.round(durationMs * 1000) / 1000 };
}
