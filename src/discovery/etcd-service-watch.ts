// Follows one service's instances in etcd: list the prefix, then watch from
// that revision + 1 and apply puts and deletes incrementally. Any break is
// repaired without ever forgetting what we knew: a dropped stream resumes
// from the last applied revision; a cancelled watch (compaction) re-lists.
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import type { Logger } from '../telemetry/logger-types.js';
import type { Endpoint, EndpointsListener } from './types.js';
import { decodeEndpointValue, sameEndpoints, sortEndpoints } from './keys.js';
import { reopenWatchStream } from './etcd-client.js';
import { isStaleAuthToken } from './etcd-errors.js';
import { retryForever } from './retry-forever.js';
import { cancelWatcherWithin } from './bounded.js';
import { ExponentialBackoff, type IBackoff } from 'cockatiel';

export interface EtcdServiceWatchOptions {
  readonly client: Etcd3;
  /** `<prefix>/<service>/`, trailing slash included. */
  readonly keyPrefix: string;
  readonly listener: EndpointsListener;
  readonly logger: Logger;
}

const RELIST_INITIAL_DELAY_MS = 100;
const RELIST_MAX_DELAY_MS = 1_000;

export class EtcdServiceWatch {
  private readonly endpointsByKey = new Map<string, Endpoint>();
  private readonly stopping = new AbortController();
  private lastEmitted: readonly Endpoint[] | null = null;
  /** The newest revision whose changes are reflected in `endpointsByKey`. */
  private appliedRevision = 0n;
  private watcher: Watcher | null = null;
  private relisting: Promise<void> | null = null;
  private readonly reconnectBackoffFactory = new ExponentialBackoff({ initialDelay: RELIST_INITIAL_DELAY_MS, maxDelay: RELIST_MAX_DELAY_MS });
  private reconnectBackoff: IBackoff<unknown> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: EtcdServiceWatchOptions) {}

  start(): void {
    this.relist('start');
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('watch stopped'));
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.relisting?.catch(() => undefined);
    await this.dropWatcher();
  }

  /** Reads the whole prefix (retrying while etcd is down), then watches from the next revision. */
  /** With `reopenStream`, the watch stream is reopened after the listing renewed etcd3's auth token (reopenWatchStream). */
  private relist(reason: string, reopenStream = false): void {
    if (this.relisting || this.stopping.signal.aborted) return;
    void this.dropWatcher();
    this.options.logger.debug({ keyPrefix: this.options.keyPrefix, reason }, 'listing service instances');
    this.relisting = retryForever(() => this.options.client.getAll().prefix(this.options.keyPrefix).exec(), {
      initialDelayMs: RELIST_INITIAL_DELAY_MS,
      maxDelayMs: RELIST_MAX_DELAY_MS,
      signal: this.stopping.signal,
      onFailure: (error, attempt) => {
        if (attempt === 1 || attempt % 30 === 0) {
          this.options.logger.warn({ err: error, keyPrefix: this.options.keyPrefix, attempt }, 'etcd not answering; keeping the last known endpoints');
        }
      },
    })
      .then((response) => {
        if (this.stopping.signal.aborted) return;
        this.endpointsByKey.clear();
        for (const kv of response.kvs) this.applyPut(kv);
        this.appliedRevision = BigInt(response.header.revision);
        this.emit();
        if (reopenStream) reopenWatchStream(this.options.client);
        this.watchFrom(this.appliedRevision + 1n);
      })
      .catch(() => undefined)
      .finally(() => {
        this.relisting = null;
      });
  }

  private watchFrom(revision: bigint): void {
    if (this.stopping.signal.aborted) return;
    const watcher = this.options.client.watch().prefix(this.options.keyPrefix).startRevision(revision.toString()).watcher();
    this.watcher = watcher;
    watcher.on('data', (response) => {
      if (this.watcher === watcher) this.applyChanges(response);
    });
    watcher.on('connected', () => {
      if (this.watcher === watcher) this.reconnectBackoff = null;
    });
    watcher.on('disconnected', () => {
      // etcd3 would resume this watcher from a revision it guesses; resume from
      // the one we know we applied instead (compacted by then: 'error', re-list).
      // Our own backoff: a new watcher would otherwise reconnect at once, in a loop.
      if (this.watcher !== watcher) return;
      void this.dropWatcher();
      this.reconnectBackoff = this.reconnectBackoff ? this.reconnectBackoff.next(undefined) : this.reconnectBackoffFactory.next();
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (!this.watcher && !this.relisting) this.watchFrom(this.appliedRevision + 1n);
      }, this.reconnectBackoff.duration);
    });
    watcher.on('error', (error) => {
      // Cancelled by the server, typically because the revision was compacted,
      // or because etcd no longer knows the stream's auth token.
      if (this.watcher !== watcher) return;
      const staleToken = isStaleAuthToken(error);
      this.options.logger.info({ err: error, keyPrefix: this.options.keyPrefix }, staleToken ? 'watch refused: auth token expired; renewing it' : 'watch cancelled; re-listing');
      this.relist(staleToken ? 'auth token expired' : 'watch cancelled', staleToken);
    });
  }

  private applyChanges(response: IWatchResponse): void {
    for (const event of response.events) {
      if (event.type === 'Put') this.applyPut(event.kv);
      else this.endpointsByKey.delete(event.kv.key.toString('utf8'));
      const revision = BigInt(event.kv.mod_revision);
      if (revision > this.appliedRevision) this.appliedRevision = revision;
    }
    if (response.events.length > 0) this.emit();
  }

  private applyPut(kv: IKeyValue): void {
    const key = kv.key.toString('utf8');
    const endpoint = decodeEndpointValue(kv.value.toString('utf8'));
    if (endpoint) {
      this.endpointsByKey.set(key, endpoint);
      return;
    }
    // Someone wrote garbage under our prefix: not an instance we can dial.
    this.endpointsByKey.delete(key);
    this.options.logger.warn({ key, value: kv.value.toString('utf8').slice(0, 200) }, 'ignoring a registry value that is not {"Op":0,"Addr":...}');
  }

  /** Emits the full list when it differs from the last one (always the first time). */
  private emit(): void {
    const endpoints = sortEndpoints(this.endpointsByKey.values());
    if (this.lastEmitted !== null && sameEndpoints(this.lastEmitted, endpoints)) return;
    this.lastEmitted = endpoints;
    try {
      this.options.listener(endpoints);
    } catch (error) {
      this.options.logger.error({ err: error, keyPrefix: this.options.keyPrefix }, 'endpoints listener threw');
    }
  }

  private async dropWatcher(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = null;
    if (!watcher) return;
    await cancelWatcherWithin(watcher);
  }
}
