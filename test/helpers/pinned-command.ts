// A command run on one CPU only (taskset, util-linux), for benchmarks that keep
// a server and its load apart on a 2-core machine; unpinned when `cpu` is undefined.
export function pinnedCommand(command: string, args: readonly string[], cpu: number | undefined): [string, string[]] {
  return cpu === undefined ? [command, [...args]] : ['taskset', ['-c', String(cpu), command, ...args]];
}
