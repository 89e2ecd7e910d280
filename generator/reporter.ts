/**
 * Progress for people: on a terminal each step says what was read or written
 * and how long it took; otherwise only the final summary line is printed, so
 * scripts and CI logs stay quiet.
 */
export interface Reporter {
  step(message: string): void;
  summary(message: string): void;
}

export function createReporter(options: { verbose?: boolean } = {}): Reporter {
  const verbose = options.verbose ?? process.stderr.isTTY === true;
  const started = performance.now();
  const elapsed = (): string => formatDuration(performance.now() - started);
  return {
    step(message) {
      if (verbose) process.stderr.write(`  ${message} (${elapsed()})\n`);
    },
    summary(message) {
      process.stdout.write(`${message} in ${elapsed()}\n`);
    },
  };
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;
}
