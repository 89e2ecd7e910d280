import type { BlockSpec, LeafSpec } from './schema-types.js';

/** Who must show a client certificate to the server. */
export const CLIENT_AUTH_MODES = ['none', 'request', 'require'] as const;

const pemFile = (what: string, example: string): LeafSpec => ({
  kind: 'leaf', type: { kind: 'string', nonEmpty: true }, nullable: true, default: null, example,
  meaning: `${what}; a path relative to the process's working directory`,
});

/**
 * The process's own TLS: the server listens only on TLS when cert and key
 * are set (checked together at start, not here: TUSK_TLS_CERT/KEY may supply one), and the process's clients verify servers against `ca` and show
 * cert/key as their client certificate (src/security/tls).
 */
export const TLS_SECTION: BlockSpec = {
  kind: 'block',
  meaning: 'TLS and mTLS of the server and of this process\'s clients; files reload on change',
  keys: {
    cert: pemFile('PEM certificate (chain) of this process (env TUSK_TLS_CERT)', '"/etc/tusk/tls/tls.crt"'),
    key: pemFile('PEM private key of `cert` (env TUSK_TLS_KEY)', '"/etc/tusk/tls/tls.key"'),
    ca: pemFile('PEM CA bundle that peers\' certificates must chain to (env TUSK_TLS_CA); null = the system roots for clients', '"/etc/tusk/tls/ca.crt"'),
    client_auth: {
      kind: 'leaf', type: { kind: 'enum', values: CLIENT_AUTH_MODES }, default: 'none', example: '"require"',
      meaning: 'server: "require" = mTLS (no valid client certificate, no connection), "request" = asked for, not required, "none" (env TUSK_TLS_CLIENT_AUTH)',
    },
    reload_interval: { kind: 'leaf', type: { kind: 'duration', minMs: 100 }, default: '5s', example: '"1m"', meaning: 'how often the files are re-read; new connections use a rotated certificate within this' },
  },
};

/** A caller's per-target TLS in `[dependencies]` (and ClientOptions.tls): each key set replaces the process's [tls] one. */
export const TARGET_TLS: BlockSpec = {
  kind: 'block',
  meaning: 'TLS towards this target, overriding the caller\'s [tls]',
  keys: {
    ca: pemFile('PEM CA bundle the target\'s certificate must chain to', '"/etc/tusk/billing-ca.crt"'),
    cert: pemFile('PEM client certificate shown to the target', '"/etc/tusk/tls/tls.crt"'),
    key: pemFile('PEM private key of `cert`', '"/etc/tusk/tls/tls.key"'),
    server_name: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, example: '"billing.internal"', meaning: 'name sent as SNI and checked against the target\'s certificate, instead of the address\'s host' },
    plaintext: { kind: 'leaf', type: { kind: 'boolean' }, example: 'true', meaning: 'true = call this target without TLS even though the process has [tls]; false = TLS even with no files (system roots)' },
  },
};
