import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { OneLineError } from '../../status/fatal.js';
import type { Logger } from '../../telemetry/logger-types.js';

/** How often a watched file is stat'ed: polling sees atomic renames (cert-manager, Vault agent) that fs.watch can miss. */
export const FILE_POLL_INTERVAL_MS = 500;

/**
 * A file parsed into T and reread whenever it changes. A broken rewrite is
 * logged (file and reason, never the contents) and the last good value kept.
 * The first read throws a one-line error, so a bad file stops the server's
 * start with a message naming it (exit 1, no stack, when uncaught).
 */
export class WatchedFile<T> {
  private current: T;
  private readonly listener = (now: Stats, before: Stats) => this.changed(now, before);

  constructor(
    readonly path: string,
    /** What the file is, for messages: "[auth] api_keys file". */
    private readonly what: string,
    private readonly parse: (text: string) => T,
    private readonly logger: Logger,
    pollIntervalMs = FILE_POLL_INTERVAL_MS,
    /** Called after each successful reload. */
    private readonly onReload?: () => void,
  ) {
    this.current = this.read();
    watchFile(path, { interval: pollIntervalMs, persistent: false }, this.listener);
  }

  get value(): T {
    return this.current;
  }

  close(): void {
    unwatchFile(this.path, this.listener);
  }

  private read(): T {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new OneLineError(`tusk-grpc: ${this.what} ${this.path}: ${code === 'ENOENT' ? 'no such file' : code ?? 'cannot be read'}`);
    }
    try {
      return this.parse(text);
    } catch (error) {
      throw new OneLineError(`tusk-grpc: ${this.what} ${this.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private changed(now: Stats, before: Stats): void {
    // A vanished file (nlink 0) is the middle of a rename, or a mistake: keep what we have either way.
    if (now.nlink === 0 || (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size)) return;
    try {
      this.current = this.read();
      this.onReload?.();
      this.logger.info({ file: this.path }, `${this.what} reloaded`);
    } catch (error) {
      this.logger.error({ file: this.path, reason: error instanceof Error ? error.message : String(error) }, `${this.what} not reloaded, keeping the last good one`);
    }
  }
}
