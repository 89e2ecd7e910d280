// One instance's key in etcd, bound to a lease kept alive, that always comes
// back: after etcd was down longer than the TTL (lease lost), and after
// someone deleted the key. The fix in both cases is the same idempotent step:
// grant a fresh lease and put the key again (a put moves the key to the new
// lease, so the old lease expiring later removes nothing).
import type { Etcd3, Lease, Watcher } from 'etcd3';
import type { Logger } from '../telemetry/logger-types.js';
import type { RegistrationHandle } from './types.js';
import { retryForever } from './retry-forever.js';
import { cancelWatcherWithin } from './bounded.js';

export interface EtcdRegistrationOptions {
  readonly client: Etcd3;
  readonly key: string;
  readonly value: string;
  readonly ttlMs: number;
  readonly logger: Logger;
  /** Told true when the lease is (again) kept alive, false when it is lost; e.g. for a connection gauge. */
  readonly onConnectionChange?: (connected: boolean) => void;
  /** Called once the registration is gone for good, so the registry can forget it. */
  readonly onClosed?: (registration: EtcdRegistration) => void;
}

const RENEW_INITIAL_DELAY_MS = 100;
const RENEW_MAX_DELAY_MS = 500;

export class EtcdRegistration implements RegistrationHandle {
  private readonly ttlSeconds: number;
  private readonly keepalivePeriodMs: number;
  private readonly stopping = new AbortController();
  private lease: Lease | null = null;
  private lastKeepaliveAt = 0;
  private renewing: Promise<void> | null = null;
  private keyWatcher: Watcher | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private restoringKey = false;
  private deregistering: Promise<void> | null = null;

  constructor(private readonly options: EtcdRegistrationOptions) {
    // etcd leases count whole seconds.
    this.ttlSeconds = Math.max(1, Math.ceil(options.ttlMs / 1000));
    // etcd3 (like the Go client) sends a keepalive every TTL/3.
    this.keepalivePeriodMs = (this.ttlSeconds * 1000) / 3;
  }

  get key(): string {
    return this.options.key;
  }

  /** First registration: rejects when etcd cannot be reached, so start-up fails loudly. */
  async start(): Promise<void> {
    const lease = await this.grantAndPut();
    if (this.stopping.signal.aborted) {
      await this.revokeQuietly(lease);
      throw new Error(`registration of ${this.options.key} was cancelled`);
    }
    this.adopt(lease);
    this.watchOwnKey();
    this.watchdog = setInterval(() => this.checkLiveness(), this.keepalivePeriodMs);
  }

  deregister(): Promise<void> {
    this.deregistering ??= this.stop();
    return this.deregistering;
  }

  private async stop(): Promise<void> {
    this.stopping.abort(new Error('deregistered'));
    if (this.watchdog) clearInterval(this.watchdog);
    const watcher = this.keyWatcher;
    this.keyWatcher = null;
    const lease = this.lease;
    this.lease = null;
    await this.renewing?.catch(() => undefined);
    try {
      if (lease) await lease.revoke();
    } catch (error) {
      // etcd unreachable: the lease expires on its own after the TTL.
      this.options.logger.warn({ err: error, key: this.options.key }, 'could not revoke the lease; the key expires with its TTL');
      lease?.release();
    }
    if (watcher) await cancelWatcherWithin(watcher);
    this.options.onClosed?.(this);
  }

  private async grantAndPut(): Promise<Lease> {
    const lease = this.options.client.lease(this.ttlSeconds);
    // Until adopted, a lost lease means nothing to us; the listener only keeps
    // EventEmitter from treating the event as unhandled noise.
    lease.on('lost', () => undefined);
    try {
      await lease.put(this.options.key).value(this.options.value).exec();
      return lease;
    } catch (error) {
      lease.release();
      throw error;
    }
  }

  private adopt(lease: Lease): void {
    this.lease = lease;
    this.lastKeepaliveAt = Date.now();
    this.options.onConnectionChange?.(true);
    lease.on('keepaliveSucceeded', () => {
      if (this.lease !== lease) return;
      this.lastKeepaliveAt = Date.now();
      this.options.onConnectionChange?.(true);
      void this.restoreKeyIfMissing();
    });
    lease.on('lost', (error) => {
      if (this.lease === lease) this.renew(`lease lost: ${String(error?.message ?? error)}`);
    });
  }

  /**
   * etcd3 reports a lost lease only after 2×TTL without keepalive; by then
   * the key has been gone for a whole TTL. Renew as soon as a TTL passes
   * without a successful keepalive instead, so the key is back the moment
   * etcd answers again.
   */
  private checkLiveness(): void {
    if (this.renewing || this.stopping.signal.aborted) return;
    const silentForMs = Date.now() - this.lastKeepaliveAt;
    if (silentForMs > this.ttlSeconds * 1000) this.renew(`no keepalive for ${silentForMs} ms`);
  }

  private renew(reason: string): void {
    if (this.renewing || this.stopping.signal.aborted) return;
    const previous = this.lease;
    this.lease = null;
    previous?.release();
    this.options.onConnectionChange?.(false);
    this.options.logger.warn({ key: this.options.key, reason }, 'registration lost; re-registering');
    this.renewing = retryForever(() => this.grantAndPut(), {
      initialDelayMs: RENEW_INITIAL_DELAY_MS,
      maxDelayMs: RENEW_MAX_DELAY_MS,
      signal: this.stopping.signal,
      onFailure: (error, attempt) => {
        if (attempt === 1 || attempt % 30 === 0) {
          this.options.logger.warn({ err: error, key: this.options.key, attempt }, 'etcd not answering; still trying to re-register');
        }
      },
    })
      .then(async (lease) => {
        if (this.stopping.signal.aborted) {
          await this.revokeQuietly(lease);
          return;
        }
        this.adopt(lease);
        this.options.logger.info({ key: this.options.key }, 're-registered');
        // The old lease may still exist (etcd restarts refresh lease TTLs); it owns nothing now.
        if (previous) void this.revokeQuietly(previous);
      })
      .catch(() => undefined)
      .finally(() => {
        this.renewing = null;
      });
  }

  /** Puts the key back when someone deleted it while our lease is alive. */
  private async restoreKeyIfMissing(): Promise<void> {
    const lease = this.lease;
    if (!lease || this.restoringKey || this.renewing || this.stopping.signal.aborted) return;
    this.restoringKey = true;
    try {
      const client = this.options.client;
      const leaseId = await lease.grant();
      const result = await client
        .if(this.options.key, 'Create', '==', 0)
        .then(client.put(this.options.key).value(this.options.value).lease(leaseId))
        .commit();
      if (result.succeeded) this.options.logger.warn({ key: this.options.key }, 'key was deleted; restored it');
    } catch (error) {
      // The lease keepalive or the next check will notice a real outage.
      this.options.logger.debug({ err: error, key: this.options.key }, 'could not check the registration key');
    } finally {
      this.restoringKey = false;
    }
  }

  /** Reacts to a deleted key at once; the keepalive check above is the backstop. */
  private watchOwnKey(): void {
    const watcher = this.options.client.watch().key(this.options.key).only('delete').watcher();
    watcher.on('delete', () => void this.restoreKeyIfMissing());
    watcher.on('error', (error) => {
      this.options.logger.debug({ err: error, key: this.options.key }, 'own-key watch cancelled; keepalive checks continue');
    });
    this.keyWatcher = watcher;
  }

  private async revokeQuietly(lease: Lease): Promise<void> {
    try {
      await lease.revoke();
    } catch {
      lease.release();
    }
  }
}
