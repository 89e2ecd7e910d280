#!/usr/bin/env node
// The `tusk-grpc` command: generate, check, init, deploy, hash-key, gateway.
import { parseArgs } from 'node:util';
import { COMMAND_LINE, GeneratorError, formatLocatedIssue } from './errors.js';
import { runHashKey } from './hash-key.js';
import { runInit } from './init.js';
import { runDeploy } from './deploy/index.js';
import { runGateway } from './gateway-command.js';
import { isOneLineError } from '../src/status/fatal.js';
import { runCheck, runGenerate } from './pipeline.js';
import { createReporter } from './reporter.js';

const USAGE = `usage:
  tusk-grpc generate [--out DIR] [--config PATH]   generate code from protos and .tsk descriptors (default out: gen)
  tusk-grpc check [--config PATH]                  validate protos and descriptors, write nothing
  tusk-grpc init <package.Service>                 scaffold a service: proto, .tsk, class, src/main.ts, npm scripts
  tusk-grpc hash-key                               SHA-256 of the API key on stdin, for an [auth] api_keys file
  tusk-grpc deploy [--out DIR] [--image REPO:TAG] [--namespace NS] [--mesh istio]
                                                   Kubernetes manifests and a Dockerfile per service (default out: deploy)
  tusk-grpc gateway [--config gateway.tsk] [--out DIR] [--port N] [--host ADDR]
                                                   serve the generated services over REST, Connect and gRPC-Web

  --config PATH   buf.yaml, or the folder holding it (default: the nearest buf.yaml here or above);
                  gateway: its .tsk with [gateway] (default: ./gateway.tsk when present)
  --out DIR       output folder, replaced as a whole on success (default: gen, or deploy, beside buf.yaml);
                  gateway: the generated (or compiled) folder it reads (default: gen beside buf.yaml)
  --port N, --host ADDR
                  gateway: where to listen, over the .tsk (default 8080 on 0.0.0.0)
  --image IMAGE   deploy: the container image, {name} standing for each service's name (default: [deploy] image)
  --namespace NS  deploy: the Kubernetes namespace (default: default)
  --mesh istio    deploy: add VirtualService, DestinationRule, PeerAuthentication and AuthorizationPolicy
  --verbose       show progress even when stderr is not a terminal`;

async function main(argv: readonly string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      config: { type: 'string' },
      image: { type: 'string' },
      namespace: { type: 'string' },
      mesh: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Asked for help: exit 0; no command at all is a mistake a script should notice.
  if (command === undefined) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 1;
    return;
  }
  const reporter = createReporter(values.verbose ? { verbose: true } : {});
  const expectArgs = (count: number): void => {
    if (rest.length !== count) throw usageError(`"${command}" takes ${count === 0 ? 'no arguments' : `${count} argument`}, got ${rest.length}`);
  };
  const deployOnly = (): void => {
    const given = (['image', 'namespace', 'mesh'] as const).filter((name) => values[name] !== undefined);
    if (given.length > 0) throw usageError(`--${given[0]} is an option of "deploy" only`);
    if (command !== 'gateway') gatewayOnly();
  };
  const gatewayOnly = (): void => {
    const given = (['port', 'host'] as const).filter((name) => values[name] !== undefined);
    if (given.length > 0) throw usageError(`--${given[0]} is an option of "gateway" only`);
  };
  switch (command) {
    case 'generate':
      expectArgs(0);
      deployOnly();
      await runGenerate({ out: values.out, config: values.config }, reporter);
      return;
    case 'check':
      expectArgs(0);
      deployOnly();
      if (values.out !== undefined) throw usageError('"check" writes nothing and takes no --out');
      await runCheck({ config: values.config }, reporter);
      return;
    case 'init':
      expectArgs(1);
      deployOnly();
      await runInit({ service: rest[0]! }, reporter);
      return;
    case 'hash-key':
      expectArgs(0);
      deployOnly();
      await runHashKey();
      return;
    case 'gateway':
      expectArgs(0);
      deployOnly();
      await runGateway({ config: values.config, out: values.out, port: values.port, host: values.host });
      return;
    case 'deploy':
      expectArgs(0);
      gatewayOnly();
      await runDeploy({ out: values.out, config: values.config, image: values.image, namespace: values.namespace, mesh: values.mesh }, reporter);
      return;
    default:
      throw usageError(`unknown command "${command}"`);
  }
}

function usageError(message: string): GeneratorError {
  return GeneratorError.onCommandLine(`${message} (see tusk-grpc --help)`);
}

main(process.argv.slice(2)).then(
  () => {
    process.exitCode ??= 0;
  },
  (error: unknown) => {
    if (error instanceof GeneratorError) {
      for (const issue of error.issues) process.stderr.write(`${formatLocatedIssue(issue)}\n`);
    } else if (isOneLineError(error)) {
      // The runtime's own user errors (a gateway .tsk's file:line:col lines, a port in use): already the whole story.
      process.stderr.write(`${error.message}\n`);
    } else if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${COMMAND_LINE}: ${error.message} (see tusk-grpc --help)\n`);
    } else {
      process.stderr.write(`tusk-grpc: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
