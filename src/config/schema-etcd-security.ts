import type { KeySpec, LeafSpec } from './schema-types.js';

const pemFile = (meaning: string, example: string): LeafSpec => ({ kind: 'leaf', type: { kind: 'string', nonEmpty: true }, nullable: true, default: null, example, meaning });

/**
 * The `[discovery]` keys that secure the connection to etcd: TLS (server
 * verification, and a client certificate for `--client-cert-auth`) and etcd's
 * own username/password auth. Only the etcd provider reads them. Which keys
 * need which (cert with key, username with password) is checked when the
 * registry is built (discovery/etcd-security.ts), after the TUSK_ETCD_*
 * variables had their say.
 */
export const ETCD_SECURITY_KEYS: Readonly<Record<string, KeySpec>> = {
  tls: {
    kind: 'block',
    nullable: true,
    default: null,
    whole: true,
    meaning: 'etcd: connect over TLS; absent or null = plaintext',
    keys: {
      ca: pemFile('PEM file of the CA that signed etcd\'s certificate (env TUSK_ETCD_CA); null = the system roots', '"/etc/etcd/ca.pem"'),
      cert: pemFile('PEM file of the client certificate, for etcd\'s --client-cert-auth (env TUSK_ETCD_CERT); needs key', '"/etc/etcd/client.pem"'),
      key: pemFile('PEM file of the client certificate\'s private key (env TUSK_ETCD_KEY); needs cert', '"/etc/etcd/client.key"'),
    },
  },
  username: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, nullable: true, default: null, example: '"tusk"', meaning: 'etcd: user of etcd\'s auth (env TUSK_ETCD_USERNAME); needs password' },
  password: {
    kind: 'leaf', type: { kind: 'string', nonEmpty: true }, nullable: true, default: null, secret: true, example: '@env("ETCD_PASSWORD")',
    meaning: 'etcd: that user\'s password (env TUSK_ETCD_PASSWORD); never logged, best given by @env',
  },
};
