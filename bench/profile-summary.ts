// Where a server's CPU time goes, from the V8 profiles server-bench writes
// (--profile <dir>): self time grouped by who spends it, idle time and module
// loading left out, as a share of the rest. For BENCHMARKS.md's "where the
// time goes" tables:
//   node --conditions=tusk-source --import tsx bench/profile-summary.ts <dir>/<variant>/*.cpuprofile [...]
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** First match wins: the order puts the narrow groups before the broad ones. */
const GROUPS: ReadonlyArray<readonly [string, (node: ProfileNode) => boolean]> = [
  ['garbage collection', (node) => node.callFrame.functionName === '(garbage collector)'],
  ['node:http2 (framing, headers, streams)', (node) => /node:internal\/http2\//.test(node.callFrame.url)],
  ['node streams, events, ticks, sockets', (node) => /^node:(events|net|internal\/(streams|process|stream_base_commons|timers|buffer|encoding|url))/.test(node.callFrame.url)],
  ['@grpc/grpc-js', (node) => node.callFrame.url.includes('/@grpc/grpc-js/')],
  ['tusk: lean transport and wire (src/server/transport, src/wire)', (node) => /\/src\/(server\/transport|wire)\//.test(node.callFrame.url)],
  ['tusk: server chain, context, handler adapters (src/server)', (node) => /\/src\/server\//.test(node.callFrame.url)],
  ['tusk: telemetry and overload (src/telemetry, src/overload)', (node) => /\/src\/(telemetry|overload)\//.test(node.callFrame.url)],
  ['OpenTelemetry and prom-client', (node) => /\/(@opentelemetry|prom-client)\//.test(node.callFrame.url)],
  ['message codec (the echo service\'s JSON)', (node) => /echo-service\.js|minimal-http2-server\.js|echo-servers\.js/.test(node.callFrame.url)],
  ['native and V8 (program, builtins)', () => true],
];

const STARTUP = /node:internal\/modules\/|cjs-module-lexer|^evaluate$|compileSourceTextModule/;

function summarize(path: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const startup = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (STARTUP.test(frame.url) || STARTUP.test(frame.functionName)) return true;
    }
    return false;
  };
  const totals = new Map<string, number>();
  const startupMemo = new Map<number, boolean>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') return;
    if (!startupMemo.has(id)) startupMemo.set(id, startup(id));
    if (startupMemo.get(id)) return;
    const group = GROUPS.find(([, matches]) => matches(node))![0];
    totals.set(group, (totals.get(group) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

const files = process.argv.slice(2);
const summaries = files.map((file) => ({ name: basename(dirname(file)), totals: summarize(file) }));
console.log(`| share of server CPU | ${summaries.map((s) => s.name).join(' | ')} |`);
console.log(`| --- |${summaries.map(() => ' ---: |').join('')}`);
for (const [group] of GROUPS) {
  const cells = summaries.map(({ totals }) => {
    const all = [...totals.values()].reduce((sum, value) => sum + value, 0);
    return `${((100 * (totals.get(group) ?? 0)) / all).toFixed(1)} %`;
  });
  console.log(`| ${group} | ${cells.join(' | ')} |`);
}
