// The development provider: no server process, just a folder shared by the
// processes of one machine. Each instance rewrites its own small file every
// TTL/3; watchers read the folder on fs.watch events and on a periodic poll
// (fs.watch misses events on some file systems), and treat a file whose
// heartbeat is older than the TTL as a crashed process; watchers delete files
// silent for a few TTLs. The folder is private: created 0700, and one that
// another user owns or may write is refused (its files choose our endpoints).
import { watch as watchFolder, type FSWatcher } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import type { Logger } from '../telemetry/logger-types.js';
import type { Endpoint, EndpointsListener, Registration, RegistrationHandle, Registry } from './types.js';
import { assertAdvertisableAddress, sameEndpoints, sortEndpoints } from './keys.js';
import {
  ensurePrivateFolder, UnsafeRegistryFolderError, instanceFile, instanceRecord, PRIVATE_FOLDER_MODE, pruneFiles, readLiveInstances, serviceDir, writeFileAtomically,
} from './local-files.js';

export interface LocalRegistryOptions {
  /** The folder shared by all processes that should see each other. */
  readonly dir: string;
  readonly ttlMs: number;
  readonly logger: Logger;
}

/** Coalesces bursts of fs.watch events (a rename fires several). */
const FS_EVENT_DEBOUNCE_MS = 20;

/** Watchers poll this often (fs.watch misses events on some file systems): often enough that a crashed instance disappears soon after its TTL. */
export function localPollPeriodMs(ttlMs: number): number {
  return Math.min(1_000, Math.max(50, Math.floor(ttlMs / 4)));
}

export class LocalRegistry implements Registry {
  /** A watcher that missed the fs.watch event still sees the removal at its next poll. */
  readonly removalVisibleWithinMs: number;
  private readonly registrations = new Set<LocalRegistration>();
  private readonly watches = new Set<LocalServiceWatch>();
  private closing: Promise<void> | null = null;
  private folderChecked: Promise<void> | null = null;

  constructor(private readonly options: LocalRegistryOptions) {
    this.removalVisibleWithinMs = localPollPeriodMs(options.ttlMs) + FS_EVENT_DEBOUNCE_MS;
  }

  async register(registration: Registration): Promise<RegistrationHandle> {
    if (this.closing) throw new Error('registry is closed');
    assertAdvertisableAddress(registration.address);
    const entry = new LocalRegistration(
      instanceFile(this.options.dir, registration.service, registration.address),
      registration,
      this.options,
      () => this.registrations.delete(entry),
    );
    await this.checkFolder();
    this.registrations.add(entry);
    await entry.start();
    return entry;
  }

  /** Once per registry; a refused folder stays refused (and a transient error is retried next time). */
  private checkFolder(): Promise<void> {
    this.folderChecked ??= ensurePrivateFolder(this.options.dir).catch((error: unknown) => {
      if (!(error instanceof UnsafeRegistryFolderError)) this.folderChecked = null;
      throw error;
    });
    return this.folderChecked;
  }

  watch(service: string, listener: EndpointsListener): () => void {
    if (this.closing) throw new Error('registry is closed');
    const watch = new LocalServiceWatch(serviceDir(this.options.dir, service), listener, this.options, () => this.checkFolder());
    this.watches.add(watch);
    watch.start();
    return () => {
      if (this.watches.delete(watch)) watch.stop();
    };
  }

  /** Removes this process's instance files and stops every watch. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const watch of this.watches) watch.stop();
      this.watches.clear();
      await Promise.all([...this.registrations].map((entry) => entry.deregister()));
    })();
    return this.closing;
  }
}

class LocalRegistration implements RegistrationHandle {
  private readonly heartbeatPeriodMs: number;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;
  private deregistering: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    private readonly registration: Registration,
    private readonly options: LocalRegistryOptions,
    private readonly onClosed: () => void,
  ) {
    this.heartbeatPeriodMs = Math.max(10, Math.floor(options.ttlMs / 3));
  }

  async start(): Promise<void> {
    await this.writeHeartbeat();
    this.timer = setInterval(() => {
      // Serialised, so deregister can wait for the last write before unlinking.
      this.writing = this.writing.then(() => this.writeHeartbeat()).catch((error: unknown) => {
        this.options.logger.warn({ err: error, file: this.file }, 'could not write the local registry heartbeat');
      });
    }, this.heartbeatPeriodMs);
    // The registry alone must not keep a process alive.
    this.timer.unref();
  }

  deregister(): Promise<void> {
    this.deregistering ??= (async () => {
      this.stopped = true;
      if (this.timer) clearInterval(this.timer);
      await this.writing;
      await unlink(this.file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      this.onClosed();
    })();
    return this.deregistering;
  }

  private async writeHeartbeat(): Promise<void> {
    if (this.stopped) return;
    const record = instanceRecord(this.registration.address, this.registration.metadata, Date.now());
    // Recreates the folder and the file if someone removed them.
    await mkdir(serviceDir(this.options.dir, this.registration.service), { recursive: true, mode: PRIVATE_FOLDER_MODE });
    await writeFileAtomically(this.file, JSON.stringify(record));
  }
}

class LocalServiceWatch {
  private readonly pollPeriodMs: number;
  private folderWatcher: FSWatcher | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private reading = false;
  private readAgain = false;
  private stopped = false;
  private lastEmitted: readonly Endpoint[] | null = null;
  /** The last read failure logged, so a lasting one (an unsafe folder) is logged once, not at every poll. */
  private lastFailure: string | null = null;
  private readonly loggedInvalid = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly listener: EndpointsListener,
    private readonly options: LocalRegistryOptions,
    private readonly checkFolder: () => Promise<void>,
  ) {
    this.pollPeriodMs = localPollPeriodMs(options.ttlMs);
  }

  start(): void {
    this.pollTimer = setInterval(() => void this.refresh(), this.pollPeriodMs);
    this.pollTimer.unref();
    void this.checkFolder()
      .then(() => mkdir(this.dir, { recursive: true, mode: PRIVATE_FOLDER_MODE }))
      .then(() => {
        if (this.stopped) return;
        this.folderWatcher = watchFolder(this.dir, { persistent: false }, () => this.scheduleRefresh());
        this.folderWatcher.on('error', (error) => {
          this.options.logger.warn({ err: error, dir: this.dir }, 'fs.watch failed; relying on polling');
          this.folderWatcher?.close();
          this.folderWatcher = null;
        });
      })
      .catch((error: unknown) => this.options.logger.warn({ err: error, dir: this.dir }, 'could not watch the local registry folder; relying on polling'))
      .finally(() => void this.refresh());
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.folderWatcher?.close();
    this.folderWatcher = null;
  }

  private scheduleRefresh(): void {
    if (this.debounceTimer || this.stopped) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      void this.refresh();
    }, FS_EVENT_DEBOUNCE_MS);
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.readAgain = false;
        await this.checkFolder();
        const { endpoints, invalidFiles, deadFiles } = await readLiveInstances(this.dir, this.options.ttlMs, Date.now());
        this.logInvalidOnce(invalidFiles);
        if (deadFiles.length > 0) await pruneFiles(this.dir, deadFiles);
        if (!this.stopped) this.emit(sortEndpoints(endpoints));
        this.lastFailure = null;
      } while (this.readAgain && !this.stopped);
    } catch (error) {
      const failure = String(error);
      if (failure !== this.lastFailure) this.options.logger.warn({ err: error, dir: this.dir }, 'could not read the local registry; keeping the last known endpoints');
      this.lastFailure = failure;
    } finally {
      this.reading = false;
    }
  }

  private emit(endpoints: readonly Endpoint[]): void {
    if (this.lastEmitted !== null && sameEndpoints(this.lastEmitted, endpoints)) return;
    this.lastEmitted = endpoints;
    try {
      this.listener(endpoints);
    } catch (error) {
      this.options.logger.error({ err: error, dir: this.dir }, 'endpoints listener threw');
    }
  }

  private logInvalidOnce(files: readonly string[]): void {
    for (const file of files) {
      if (this.loggedInvalid.has(file)) continue;
      this.loggedInvalid.add(file);
      this.options.logger.warn({ dir: this.dir, file }, 'ignoring a local registry file that is not a valid instance record');
    }
  }
}
