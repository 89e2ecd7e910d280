// The grpc-js FileWatcherCertificateProvider re-reads the files every
// interval, but hands over whatever it read: a half-written or mismatched file
// would break every new handshake, and an unreadable one clears the
// certificate. This adapter sits between it and the credentials: each update
// is checked first (pem-check.ts); a bad one is logged and the last good
// material stays in use.
import { rootCertificates } from 'node:tls';
import { experimental } from '@grpc/grpc-js';
import type { Logger } from '../../telemetry/logger-types.js';
import { checkCa, checkIdentity, readTlsFile, TlsFileError, type CheckedIdentity } from './pem-check.js';

type CertificateProvider = experimental.CertificateProvider;
type CaUpdate = experimental.CaCertificateUpdate;
type IdentityUpdate = experimental.IdentityCertificateUpdate;
type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** Absolute paths; `ca` absent = Node's bundled root CAs (clients of public servers). */
export interface TlsFiles {
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  /**
   * The certificate must be signed by a CA in `ca`: true for a server, whose
   * clients verify it against the same bundle. A client's `ca` may be one
   * target's own CA, which need not have signed the client's certificate.
   */
  readonly certSignedByCa?: boolean;
}

const SYSTEM_ROOTS = Buffer.from(rootCertificates.join('\n'));

export class ValidatedCertificateProvider implements CertificateProvider {
  private readonly watcher: experimental.FileWatcherCertificateProvider;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private ca: CaUpdate;
  private identity: CheckedIdentity | undefined;
  private pendingCa: CaUpdate | null | undefined;
  private pendingIdentity: IdentityUpdate | null | undefined;
  private evaluationQueued = false;
  /** The problem warned about last; undefined = none, or it cleared. */
  private lastProblem: string | undefined;
  /** The problem of the previous read, warned about or not. */
  private lastSeen: string | undefined;
  private watching = false;

  /** Reads and checks the files now: throws TlsFileError naming the file and the reason. */
  constructor(private readonly files: TlsFiles, refreshIntervalMs: number, private readonly logger: Logger) {
    const caPem = files.ca === undefined ? SYSTEM_ROOTS : readTlsFile('ca', files.ca);
    const cas = files.ca === undefined ? undefined : checkCa(files.ca, caPem);
    this.ca = { caCertificate: caPem };
    if (files.cert !== undefined && files.key !== undefined) {
      const identityFiles = { cert: files.cert, key: files.key };
      const trusted = cas !== undefined && files.certSignedByCa === true ? { file: files.ca!, cas } : undefined;
      this.identity = checkIdentity(identityFiles, readTlsFile('cert', files.cert), readTlsFile('key', files.key), trusted);
    }
    this.watcher = new experimental.FileWatcherCertificateProvider({
      certificateFile: files.cert,
      privateKeyFile: files.key,
      caCertificateFile: files.ca,
      refreshIntervalMs,
    });
  }

  /** The last good CA bundle and identity, for node:tls contexts (the lean transports). */
  material(): { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer } {
    return {
      ...(this.files.ca === undefined ? {} : { ca: this.ca.caCertificate }),
      ...(this.identity === undefined ? {} : { cert: this.identity.certificate, key: this.identity.privateKey }),
    };
  }

  /**
   * Keeps the files polled every reload interval while the returned stop is
   * not called, and calls `changed` after each accepted update (a lean server
   * then swaps its secure context).
   */
  watch(changed: () => void): () => void {
    const onCa = (): void => changed();
    const onIdentity = (): void => changed();
    this.caListeners.add(onCa);
    this.identityListeners.add(onIdentity);
    this.updateWatching();
    return () => {
      this.caListeners.delete(onCa);
      this.identityListeners.delete(onIdentity);
      this.updateWatching();
    };
  }

  /** Serial of the certificate in use (hex), for logs and tests. */
  get serial(): string | undefined {
    return this.identity?.serial;
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    this.updateWatching();
    // Asynchronously, like grpc-js's own providers: its server credentials subscribe before adding their watcher.
    process.nextTick(listener, this.ca);
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
    this.updateWatching();
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    this.updateWatching();
    process.nextTick(listener, this.identity ?? null);
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
    this.updateWatching();
  }

  private readonly onWatchedCa = (update: CaUpdate | null): void => {
    this.pendingCa = update;
    this.queueEvaluation();
  };

  private readonly onWatchedIdentity = (update: IdentityUpdate | null): void => {
    this.pendingIdentity = update;
    this.queueEvaluation();
  };

  /** Polls the files only while some credentials use this provider (its timer would keep the process alive). */
  private updateWatching(): void {
    const wanted = this.caListeners.size + this.identityListeners.size > 0;
    if (wanted === this.watching) return;
    this.watching = wanted;
    const hasCa = this.files.ca !== undefined;
    const hasIdentity = this.identity !== undefined;
    if (wanted) {
      if (hasCa) this.watcher.addCaCertificateListener(this.onWatchedCa);
      if (hasIdentity) this.watcher.addIdentityCertificateListener(this.onWatchedIdentity);
    } else {
      if (hasCa) this.watcher.removeCaCertificateListener(this.onWatchedCa);
      if (hasIdentity) this.watcher.removeIdentityCertificateListener(this.onWatchedIdentity);
    }
  }

  /** The watcher reports identity and CA of one read back to back: check them together. */
  private queueEvaluation(): void {
    if (this.evaluationQueued) return;
    this.evaluationQueued = true;
    queueMicrotask(() => {
      this.evaluationQueued = false;
      this.evaluate();
    });
  }

  private evaluate(): void {
    const { pendingCa, pendingIdentity } = this;
    this.pendingCa = undefined;
    this.pendingIdentity = undefined;
    let problem: TlsFileError | undefined;
    let newCa: CaUpdate | undefined;
    let cas = undefined as ReturnType<typeof checkCa> | undefined;
    const caFile = this.files.ca;
    if (caFile !== undefined && pendingCa !== undefined) {
      try {
        const pem = pendingCa === null ? readTlsFile('ca', caFile) : pendingCa.caCertificate;
        cas = checkCa(caFile, pem);
        if (!pem.equals(this.ca.caCertificate)) newCa = { caCertificate: pem };
      } catch (error) {
        problem = asTlsFileError(error, 'ca', caFile);
      }
    }
    let newIdentity: CheckedIdentity | undefined;
    const { cert, key } = this.files;
    if (cert !== undefined && key !== undefined && pendingIdentity !== undefined && this.identity !== undefined) {
      try {
        const certPem = pendingIdentity === null ? readTlsFile('cert', cert) : pendingIdentity.certificate;
        const keyPem = pendingIdentity === null ? readTlsFile('key', key) : pendingIdentity.privateKey;
        if (!certPem.equals(this.identity.certificate) || !keyPem.equals(this.identity.privateKey)) {
          const trusted = caFile === undefined || this.files.certSignedByCa !== true ? undefined : { file: caFile, cas: cas ?? checkCa(caFile, this.ca.caCertificate) };
          newIdentity = checkIdentity({ cert, key }, certPem, keyPem, trusted);
        }
      } catch (error) {
        problem ??= asTlsFileError(error, 'cert', cert);
      }
    }
    this.report(problem);
    if (newCa !== undefined) {
      this.ca = newCa;
      this.logger.info({ file: caFile }, 'tls: CA bundle reloaded');
      for (const listener of this.caListeners) listener(newCa);
    }
    if (newIdentity !== undefined) {
      this.identity = newIdentity;
      this.logger.info({ file: cert, serial: newIdentity.serial }, 'tls: certificate reloaded');
      for (const listener of this.identityListeners) listener(newIdentity);
    }
  }

  /**
   * A problem is warned about once it is seen on two reads in a row: a rotation
   * renames cert and key one after the other, and a read between the two
   * renames sees a mismatched pair that the next read no longer does. One
   * warning per distinct problem (the watcher re-reads every interval), and a
   * note when it clears.
   */
  private report(problem: TlsFileError | undefined): void {
    const text = problem?.message;
    const previousRead = this.lastSeen;
    this.lastSeen = text;
    if (text === this.lastProblem) return;
    if (problem !== undefined) {
      if (text !== previousRead) return;
      this.logger.warn({ file: problem.file, reason: problem.reason }, 'tls: new file not usable, keeping the last good certificate');
    } else {
      this.logger.info({ files: this.files }, 'tls: files usable again');
    }
    this.lastProblem = text;
  }
}

function asTlsFileError(error: unknown, role: string, file: string): TlsFileError {
  return error instanceof TlsFileError ? error : new TlsFileError(role, file, String(error));
}
