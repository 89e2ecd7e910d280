// SIGTERM/SIGINT drain every signal-handling TuskServer of the process, then
// exit 0. One process-wide handler, so two servers in one process do not race
// each other to process.exit while the other is still draining.

export interface Stoppable {
  stop(): Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const servers = new Set<Stoppable>();
let stopping = false;

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    // A second signal while draining: the operator wants out now.
    process.stderr.write(`tusk-grpc: ${signal} again during shutdown, exiting without waiting\n`);
    process.exit(1);
  }
  stopping = true;
  void Promise.allSettled([...servers].map((server) => server.stop())).then((results) => {
    const failed = results.some((result) => result.status === 'rejected');
    process.exit(failed ? 1 : 0);
  });
}

export function handleSignalsFor(server: Stoppable): void {
  if (servers.size === 0) for (const signal of SIGNALS) process.on(signal, onSignal);
  servers.add(server);
}

export function releaseSignalsFor(server: Stoppable): void {
  // While a signal-triggered shutdown runs, keep the handler so a second signal still forces exit.
  if (!servers.delete(server) || servers.size > 0 || stopping) return;
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}
