// [discovery] tls and username/password, turned into etcd3's `credentials`
// and `auth` options. Problems name the key and file, never the password.
import { readFileSync } from 'node:fs';
import type { IOptions } from 'etcd3';
import type { DiscoverySection } from '../config/types.js';
import { messageOf } from '../status/tusk-error.js';

export type EtcdSecurityOptions = Pick<IOptions, 'credentials' | 'auth'>;

/** A [discovery] section whose etcd security settings are incomplete or whose files cannot be read. */
export class EtcdSecurityConfigError extends Error {
  constructor(message: string) {
    super(`[discovery] ${message}`);
    this.name = 'EtcdSecurityConfigError';
  }
}

/** Whether the section asks for TLS to etcd (then every member is dialled https). */
export function usesEtcdTls(discovery: Pick<DiscoverySection, 'tls'>): boolean {
  return discovery.tls !== undefined && discovery.tls !== null;
}

export function etcdSecurityOptions(discovery: Pick<DiscoverySection, 'tls' | 'username' | 'password'>): EtcdSecurityOptions {
  const options: { credentials?: IOptions['credentials']; auth?: IOptions['auth'] } = {};
  const tls = discovery.tls;
  if (tls !== undefined && tls !== null) {
    if ((tls.cert === null) !== (tls.key === null)) {
      throw new EtcdSecurityConfigError(tls.cert === null ? 'tls.key is set without tls.cert (TUSK_ETCD_CERT): a private key needs its certificate' : 'tls.cert is set without tls.key (TUSK_ETCD_KEY): a client certificate needs its private key');
    }
    options.credentials = {
      // null = grpc-js uses the system roots (etcd3 passes it to credentials.createSsl).
      rootCertificate: tls.ca === null ? (null as unknown as Buffer) : readPem('tls.ca', tls.ca),
      ...(tls.cert !== null && tls.key !== null ? { certChain: readPem('tls.cert', tls.cert), privateKey: readPem('tls.key', tls.key) } : {}),
    };
  }
  const username = discovery.username ?? null;
  const hasPassword = discovery.password !== undefined && discovery.password !== null;
  if (username !== null && !hasPassword) throw new EtcdSecurityConfigError('username is set without password (TUSK_ETCD_PASSWORD)');
  if (username === null && hasPassword) throw new EtcdSecurityConfigError('password is set without username (TUSK_ETCD_USERNAME)');
  if (username !== null) options.auth = { username, password: discovery.password! };
  return options;
}

function readPem(key: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new EtcdSecurityConfigError(`${key}: cannot read ${file}: ${messageOf(error)}`);
  }
}
