// tsc's output for a checkout, in a temp folder that imports the checkout's
// node_modules: what the benches run under plain node, as an installed package
// runs. tsx's loader wraps every named function in a keepNames call, which
// inflates per-call costs (and it transforms plain .js files too, so a child
// run from compiled output must not load tsx either).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const thisCheckout = fileURLToPath(new URL('..', import.meta.url));

/** Compiles `checkout`'s src/ and test/helpers/ (and bench/, when `withBench`) into `into`/out; returns that folder. */
export function compileCheckout(checkout: string, into: string, withBench: boolean): string {
  mkdirSync(into, { recursive: true });
  writeFileSync(join(into, 'tsconfig.json'), JSON.stringify({
    extends: join(checkout, 'tsconfig.json'),
    compilerOptions: { noEmit: false, rootDir: checkout, outDir: join(into, 'out'), customConditions: [] },
    include: [join(checkout, 'src'), join(checkout, 'test/helpers'), ...(withBench ? [join(checkout, 'bench')] : [])],
  }));
  try {
    execFileSync(join(thisCheckout, 'node_modules/.bin/tsc'), ['-p', join(into, 'tsconfig.json')], { stdio: 'pipe' });
  } catch {
    // Type errors elsewhere (work in progress) do not stop tsc from emitting; a missing file below does.
  }
  if (!existsSync(join(into, 'out/src/server/tusk-server.js'))) throw new Error(`compiling ${checkout} produced no src/server/tusk-server.js`);
  symlinkSync(join(checkout, 'node_modules'), join(into, 'out/node_modules'));
  writeFileSync(join(into, 'out/package.json'), JSON.stringify({ type: 'module' }));
  return join(into, 'out');
}

/** This bench's sibling script: the .ts one through tsx, the .js one when running compiled. */
export function siblingScript(name: string, from: string): string {
  return fileURLToPath(new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from));
}
