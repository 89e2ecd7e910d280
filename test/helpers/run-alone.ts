// Preloaded into every test file's process (`--import`, see package.json's
// test script). The suite runs two files at a time to fit CI's time budget,
// but a file whose assertions rest on the machine's capacity (load, latency
// ratios) must not share the two cores: such a file starts with the line
//   // test: runs alone
// and waits here until no other file runs; every other file waits while one
// such file runs. Files are coordinated through a folder named after the test
// runner's pid, so separate runs on one machine do not wait for each other.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const MARKER = '// test: runs alone';
const POLL_MS = 50;
const STALE_SLOT_MS = 5_000;

const testFile = process.env.NODE_TEST_CONTEXT !== undefined ? process.argv[1] : undefined;
if (testFile !== undefined) await takeTurn(testFile);

async function takeTurn(file: string): Promise<void> {
  const dir = join(tmpdir(), `tusk-test-turns-${process.ppid}`);
  mkdirSync(dir, { recursive: true });
  const alone = readFileSync(file, 'utf8').split('\n', 40).some((line) => line.startsWith(MARKER));
  if (alone) await runAlone(dir);
  else await runShared(dir);
}

/** Holds the writer slot (an atomic mkdir), then waits for the shared files to end. */
async function runAlone(dir: string): Promise<void> {
  const slot = join(dir, 'alone');
  for (;;) {
    try {
      mkdirSync(slot);
      writeFileSync(join(slot, 'pid'), String(process.pid));
      break;
    } catch {
      if (!holderAlive(slot)) rmSync(slot, { recursive: true, force: true });
      else await sleep(POLL_MS);
    }
  }
  releaseOnExit(slot);
  while (liveSharers(dir).length > 0) await sleep(POLL_MS);
}

/** Registers as a sharer, backing off while an alone-file holds (or takes) the slot. */
async function runShared(dir: string): Promise<void> {
  const slot = join(dir, 'alone');
  const mine = join(dir, `shared-${process.pid}`);
  for (;;) {
    while (holderAlive(slot)) await sleep(POLL_MS);
    writeFileSync(mine, '');
    if (!holderAlive(slot)) break;
    rmSync(mine, { force: true });
  }
  releaseOnExit(mine);
}

function holderAlive(slot: string): boolean {
  try {
    return pidAlive(Number(readFileSync(join(slot, 'pid'), 'utf8')));
  } catch {
    // A slot folder without its pid yet is being taken, unless it was left so by a crash long ago.
    try {
      return Date.now() - statSync(slot).mtimeMs < STALE_SLOT_MS;
    } catch {
      return false;
    }
  }
}

function liveSharers(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('shared-'))
    .map((name) => Number(name.slice('shared-'.length)))
    .filter(pidAlive);
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseOnExit(path: string): void {
  process.once('exit', () => rmSync(path, { recursive: true, force: true }));
}
