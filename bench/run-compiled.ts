// Runs a bench script from tsc's output under plain node (no tsx), so the
// client or server code it measures runs as an installed package does:
//   node --conditions=tusk-source --import tsx bench/run-compiled.ts client-bench [its flags...]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileCheckout } from './compile-checkout.js';

const [script, ...scriptArgs] = process.argv.slice(2);
if (script === undefined) throw new Error('usage: run-compiled.ts <bench script name, e.g. client-bench> [flags]');
const dir = mkdtempSync(join(tmpdir(), 'run-compiled-'));
try {
  const out = compileCheckout(fileURLToPath(new URL('..', import.meta.url)), dir, true);
  const child = spawn(process.execPath, [join(out, 'bench', `${script.replace(/\.ts$/, '')}.js`), ...scriptArgs], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  process.exitCode = code ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
