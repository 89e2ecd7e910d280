// Debian's headless chromium, driven the simplest way: load one page, let its scripts run, print the DOM.
// The page writes its results into the DOM; the test reads them from what chromium prints.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DumpDomOptions {
  /** Whole run, launch included; chromium is killed past it. Default 30 s (2 shared cores). */
  readonly timeoutMs?: number;
  /**
   * How long (virtual time) chromium lets the page's scripts and their network requests run before it
   * prints the DOM; it prints sooner once nothing is pending. Default 10 s.
   */
  readonly virtualTimeBudgetMs?: number;
  /** Default $TUSK_TEST_CHROMIUM_BIN, else /usr/bin/chromium. */
  readonly binary?: string;
}

/** The page's DOM after its scripts ran, as chromium's --dump-dom prints it. Rejects (and kills chromium) on a timeout or a failed run. */
export async function dumpDom(url: string, options: DumpDomOptions = {}): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'tusk-chromium-'));
  const args = [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
    '--disable-extensions', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--metrics-recording-only',
    `--user-data-dir=${profile}`, `--virtual-time-budget=${options.virtualTimeBudgetMs ?? 10_000}`, '--dump-dom', url,
  ];
  const child = spawn(options.binary ?? process.env.TUSK_TEST_CHROMIUM_BIN ?? '/usr/bin/chromium', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`chromium did not finish within ${timeoutMs} ms; its stderr ends:\n${stderr}`)), timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else reject(new Error(`chromium exited with ${code ?? signal}; its stderr ends:\n${stderr}`));
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await rm(profile, { recursive: true, force: true });
  }
}
