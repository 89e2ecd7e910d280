import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GatewayDefinitionError, TuskGateway } from '../src/gateway/index.js';
import { GeneratorError } from './errors.js';
import { findGeneratedServices } from './generated-services.js';
import { resolveProject } from './project.js';

export interface GatewayCommandOptions {
  /** The gateway .tsk; default `gateway.tsk` in the current folder when there is one. */
  readonly config?: string;
  /** The generated (or compiled) folder; default the `gen` beside the nearest buf.yaml, else ./gen. */
  readonly out?: string;
  readonly port?: string;
  readonly host?: string;
  readonly cwd?: string;
}

/**
 * `tusk-grpc gateway`: serves every generated service (or the config's
 * `services`) over REST, Connect and gRPC-Web with no code to write. Resolves
 * once a SIGTERM or SIGINT has drained it.
 */
export async function runGateway(options: GatewayCommandOptions): Promise<void> {
  const cwd = options.cwd ?? process.cwd();
  const outDir = options.out === undefined ? defaultOutDir(cwd) : resolve(cwd, options.out);
  const services = await findGeneratedServices(outDir, cwd);
  const defaultConfig = join(cwd, 'gateway.tsk');
  const config = options.config === undefined ? (existsSync(defaultConfig) ? defaultConfig : undefined) : resolve(cwd, options.config);
  let gateway: TuskGateway;
  try {
    gateway = new TuskGateway({
      services,
      ...(config === undefined ? {} : { config }),
      ...(options.port === undefined ? {} : { port: parsePort(options.port) }),
      ...(options.host === undefined ? {} : { host: options.host }),
    });
  } catch (error) {
    // A bad annotation names its method and rule; the .tsk's own errors (GatewayConfigError) are already one positioned line each.
    if (error instanceof GatewayDefinitionError) throw GeneratorError.onCommandLine(error.message);
    throw error;
  }
  const stopSignal = new Promise<NodeJS.Signals>((resolveSignal) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolveSignal(signal));
  });
  try {
    await gateway.start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw GeneratorError.onCommandLine(`the gateway cannot listen on ${(error as { address?: string }).address ?? gateway.host}:${(error as { port?: number }).port ?? options.port}: ${code} (choose another --port or [gateway] port)`);
    }
    throw error;
  }
  process.stdout.write(`tusk-grpc gateway: serving ${gateway.serviceNames.join(', ')} on http://${gateway.host}:${gateway.port} (${gateway.routeCount} REST route${gateway.routeCount === 1 ? '' : 's'}, Connect and gRPC-Web on every method)\n`);
  const signal = await stopSignal;
  process.stdout.write(`tusk-grpc gateway: ${signal}, draining\n`);
  await gateway.stop();
}

function defaultOutDir(cwd: string): string {
  try {
    return join(resolveProject(undefined, cwd).dir, 'gen');
  } catch {
    return join(cwd, 'gen'); // a deployed gateway may have no buf.yaml beside its generated code
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw GeneratorError.onCommandLine(`--port ${JSON.stringify(text)} is not a port number (0-65535)`);
  return port;
}
