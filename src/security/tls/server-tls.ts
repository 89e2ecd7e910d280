import { ServerCredentials, experimental, type ChannelOptions } from '@grpc/grpc-js';
import type { ServerSection, TlsSection } from '../../config/types.js';
import type { Logger } from '../../telemetry/logger-types.js';
import { TlsFileError, tlsPath } from './pem-check.js';
import { ValidatedCertificateProvider } from './validated-provider.js';

/**
 * With TLS on and `[server] max_connection_age` left null, connections are
 * still recycled this often, so none outlives a certificate rotation by more.
 */
export const TLS_DEFAULT_MAX_CONNECTION_AGE_MS = 30 * 60_000;

export interface ServerTls {
  readonly credentials: ServerCredentials;
  /** The provider in use: its `serial` is the certificate currently served. */
  readonly provider: ValidatedCertificateProvider;
  readonly clientAuth: TlsSection['clientAuth'];
}

/** True when [tls] gives the server a certificate: it then listens on TLS only. */
export const serverTlsEnabled = (tls: TlsSection): boolean => tls.cert !== null || tls.key !== null;

/**
 * Server credentials for [tls], or undefined when it sets no cert and key
 * (plaintext). Reads and checks the files first: a TlsFileError (one line,
 * exit 1 when uncaught) names the file and the reason. `client_auth`
 * "request" and "require" verify client certificates against `ca`.
 */
export function serverTlsCredentials(tls: TlsSection, logger: Logger): ServerTls | undefined {
  if (!serverTlsEnabled(tls)) return undefined;
  if (tls.cert === null) throw new TlsFileError('cert', '(unset)', '[tls] key is set but cert is not (TUSK_TLS_CERT)');
  if (tls.key === null) throw new TlsFileError('key', '(unset)', '[tls] cert is set but key is not (TUSK_TLS_KEY)');
  if (tls.clientAuth !== 'none' && tls.ca === null) {
    throw new TlsFileError('ca', '(unset)', `[tls] client_auth "${tls.clientAuth}" needs a ca to verify client certificates (TUSK_TLS_CA)`);
  }
  const provider = new ValidatedCertificateProvider(
    { cert: tlsPath(tls.cert), key: tlsPath(tls.key), ...(tls.ca === null ? {} : { ca: tlsPath(tls.ca) }), certSignedByCa: true },
    tls.reloadIntervalMs,
    logger.child({ component: 'tls' }),
  );
  const caProvider = tls.clientAuth === 'none' ? null : provider;
  // grpc-js 1.14 declares this function's parameters as (ca, identity), but passes them on as (identity, ca):
  // the first is used as the identity provider, the second (nullable) as the CA provider.
  const credentials = experimental.createCertificateProviderServerCredentials(provider, caProvider, tls.clientAuth === 'require');
  return { credentials, provider, clientAuth: tls.clientAuth };
}

/** The max connection age TLS implies when the descriptor left it null; {} otherwise. */
export function tlsConnectionAgeOption(tls: TlsSection, server: ServerSection): ChannelOptions {
  return serverTlsEnabled(tls) && server.maxConnectionAgeMs === null ? { 'grpc.max_connection_age_ms': TLS_DEFAULT_MAX_CONNECTION_AGE_MS } : {};
}
