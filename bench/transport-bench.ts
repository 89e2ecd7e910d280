// Issue 12's transport benchmark, in one run: both sides of the lean
// transport against grpc-js, through the existing benches (one copy of each
// load loop and report):
//   server side  h2load saturating a scratch node:http2 echo (the floor),
//                bare grpc-js, TuskServer on grpc-js and TuskServer on http2,
//                each with its defaults (and the lean one with its hooks
//                off), all compiled by tsc and run by plain node (as an
//                installed package runs): server-bench.ts --driver h2load
//                --compiled --servers raw,minimal,defaults,lean-bare,lean
//   client side  a bare grpc-js client vs the tusk client on each transport,
//                compiled, against the scratch node:http2 echo (so the
//                server does not cap them), concurrency 1 and 64:
//                run-compiled.ts client-bench --clients raw,tusk,tusk-http2
//   node --conditions=tusk-source --import tsx bench/transport-bench.ts [--seconds 5] [--rounds 3]
//        [--connections 4] [--streams 32] [--side server,client]
// Figures go to BENCHMARKS.md by hand, from a run on a quiet machine.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const SECONDS = args.get('seconds') ?? '5';
const ROUNDS = args.get('rounds') ?? '3';
const SIDES = new Set((args.get('side') ?? 'server,client').split(','));

/** Runs one bench script with this process' loader flags; its report goes straight to stdout. */
function runBench(script: string, benchArgs: readonly string[]): Promise<void> {
  const entry = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, entry, ...benchArgs], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited ${code}`)))));
}

if (SIDES.has('server')) {
  console.log('## Server: h2load saturating each server in turn');
  await runBench('./server-bench.ts', [
    '--driver', 'h2load', '--compiled', '--servers', 'raw,minimal,defaults,lean-bare,lean', '--connections', args.get('connections') ?? '4',
    '--concurrency', args.get('streams') ?? '32', '--seconds', SECONDS, '--rounds', ROUNDS,
  ]);
}
if (SIDES.has('client')) {
  console.log('\n## Client: bare grpc-js vs the tusk client on each transport');
  await runBench('./run-compiled.ts', ['client-bench', '--clients', 'raw,tusk,tusk-http2', '--server', 'minimal', '--concurrency', '1,64', '--seconds', SECONDS, '--rounds', ROUNDS]);
}
