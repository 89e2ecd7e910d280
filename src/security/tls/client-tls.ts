import { credentials as grpcCredentials, experimental, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import type { ClientOptions } from '../../client/client-options.js';
import type { LeanClientTls } from '../../client/http2/lean-client-tls.js';
import { callerDescriptor, findDependency } from '../../config/client-policy.js';
import { resolveDescriptor, resolveServiceConfig } from '../../config/resolve-descriptor.js';
import type { ServiceDescriptor } from '../../config/service-definition.js';
import type { TargetTlsOverrides, TlsSection } from '../../config/types.js';
import { createLogger } from '../../telemetry/logger.js';
import type { Logger } from '../../telemetry/logger-types.js';
import { TlsFileError, tlsPath } from './pem-check.js';
import { ValidatedCertificateProvider } from './validated-provider.js';

/** How a client reaches its target over TLS; absent = plaintext. */
export interface ClientTls {
  /** Same key = same credentials: clients with the same TLS share connections (transport-pool.ts). */
  readonly key: string;
  readonly credentials: ChannelCredentials;
  /** `grpc.ssl_target_name_override` when a server_name is set. */
  readonly channelOptions: ChannelOptions;
  /** The same files and server name for the lean transport ([client] transport = "http2"). */
  readonly lean: LeanClientTls;
}

/** The TLS files and names one target is called with, after every layer. */
export interface EffectiveClientTls {
  readonly ca: string | null;
  readonly cert: string | null;
  readonly key: string | null;
  readonly serverName: string | undefined;
  readonly secure: boolean;
  readonly reloadIntervalMs: number;
}

/**
 * The layers, later winning: the caller's [tls] (the caller is
 * `options.caller`; without one, only the TUSK_TLS_* variables), the caller's
 * `[dependencies]` entry `tls { ... }` for the target, then `options.tls`.
 * TLS is on when a ca, cert or key remains, unless `plaintext: true`;
 * `plaintext: false` turns it on with no files (Node's root CAs).
 */
export function effectiveClientTls(target: ServiceDescriptor, options: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): EffectiveClientTls {
  const caller = options.caller === undefined ? undefined : callerDescriptor(options.caller);
  const own: TlsSection = caller === undefined ? resolveDescriptor({}, null, 'client', env).tls : resolveServiceConfig(caller, env).tls;
  const dependency = caller === undefined ? undefined : findDependency(caller, target.name, env)?.tls;
  let merged: EffectiveClientTls = { ca: own.ca, cert: own.cert, key: own.key, serverName: undefined, secure: false, reloadIntervalMs: own.reloadIntervalMs };
  let plaintext: boolean | undefined;
  for (const layer of [dependency, options.tls] as (TargetTlsOverrides | undefined)[]) {
    if (layer === undefined) continue;
    merged = {
      ...merged,
      ca: layer.ca !== undefined ? layer.ca : merged.ca,
      cert: layer.cert !== undefined ? layer.cert : merged.cert,
      key: layer.key !== undefined ? layer.key : merged.key,
      serverName: layer.serverName ?? merged.serverName,
    };
    plaintext = layer.plaintext ?? plaintext;
  }
  const hasFiles = merged.ca !== null || merged.cert !== null || merged.key !== null;
  return { ...merged, secure: plaintext === false || (plaintext !== true && hasFiles) };
}

const providers = new Map<string, ValidatedCertificateProvider>();
const credentialsByKey = new Map<string, { readonly credentials: ChannelCredentials; readonly provider: ValidatedCertificateProvider | undefined }>();
let clientLogger: Logger | undefined;

/**
 * The channel credentials of a client of `target`, or undefined for
 * plaintext. Files are read and checked here (TlsFileError on a bad one);
 * one provider per set of files re-reads them every reload_interval for all
 * channels that use it, so new connections pick up a rotated certificate.
 */
export function clientTlsFor(target: ServiceDescriptor, options: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): ClientTls | undefined {
  const tls = effectiveClientTls(target, options, env);
  if (!tls.secure) return undefined;
  if ((tls.cert === null) !== (tls.key === null)) {
    const [missing, present] = tls.cert === null ? ['cert', 'key'] : ['key', 'cert'];
    throw new TlsFileError(missing, '(unset)', `client TLS towards ${target.name} has a ${present} but no ${missing}`);
  }
  const files = {
    ...(tls.ca === null ? {} : { ca: tlsPath(tls.ca) }),
    ...(tls.cert === null || tls.key === null ? {} : { cert: tlsPath(tls.cert), key: tlsPath(tls.key) }),
  };
  const key = JSON.stringify([files.ca, files.cert, files.key, tls.reloadIntervalMs, tls.serverName]);
  let entry = credentialsByKey.get(key);
  if (entry === undefined) {
    const provider = files.ca === undefined && files.cert === undefined ? undefined : providerFor(files, tls.reloadIntervalMs);
    const credentials = provider === undefined ? grpcCredentials.createSsl() : experimental.createCertificateProviderChannelCredentials(provider, files.cert === undefined ? null : provider);
    entry = { credentials, provider };
    credentialsByKey.set(key, entry);
  }
  const channelOptions: ChannelOptions = tls.serverName === undefined ? {} : { 'grpc.ssl_target_name_override': tls.serverName };
  return { key, credentials: entry.credentials, channelOptions, lean: leanTls(entry.provider, tls.serverName) };
}

function leanTls(provider: ValidatedCertificateProvider | undefined, serverName: string | undefined): LeanClientTls {
  const name = serverName === undefined ? {} : { servername: serverName };
  if (provider === undefined) return { sessionOptions: () => name, watch: () => () => {} };
  return { sessionOptions: () => ({ ...provider.material(), ...name }), watch: () => provider.watch(() => {}) };
}

function providerFor(files: { ca?: string; cert?: string; key?: string }, reloadIntervalMs: number): ValidatedCertificateProvider {
  const providerKey = JSON.stringify([files.ca, files.cert, files.key, reloadIntervalMs]);
  let provider = providers.get(providerKey);
  if (provider === undefined) {
    clientLogger ??= createLogger({}).child({ component: 'tls' });
    provider = new ValidatedCertificateProvider(files, reloadIntervalMs, clientLogger);
    providers.set(providerKey, provider);
  }
  return provider;
}
