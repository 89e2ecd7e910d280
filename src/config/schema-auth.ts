import type { BlockSpec, KeySpec } from './schema-types.js';

/**
 * The `[auth]` section (issue 11, contract): who may call this service.
 * Absent = no authentication at all (and no cost per call). Present = every
 * method needs an authenticated caller unless its [methods] entry says
 * `public: true`.
 */

/** Asymmetric JWS algorithms only: `none` and HMAC (whose "key" a JWKS would publish) are never accepted. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

const jwt: BlockSpec = {
  kind: 'block',
  nullable: true,
  default: null,
  whole: true,
  meaning: 'bearer tokens in `authorization`, verified with jose; absent = JWTs are not accepted',
  keys: {
    issuer: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, required: true, example: '"https://idp.example.com/"', meaning: 'required `iss` claim' },
    audience: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, required: true, example: '["inventory"]', meaning: 'accepted `aud` values (one must match)' },
    jwks_file: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, nullable: true, default: null, example: '"/etc/tusk/jwks.json"', meaning: 'JWKS file, reread when it changes; one of jwks_file / jwks_url' },
    jwks_url: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, nullable: true, default: null, check: (value) => (/^https?:\/\//.test(value as string) ? undefined : 'is not an http(s) URL'), example: '"https://idp.example.com/.well-known/jwks.json"', meaning: 'JWKS URL: cached, refetched on an unknown `kid` (with a cool-down); the last good set is kept while it is unreachable' },
    algorithms: { kind: 'leaf', type: { kind: 'enum', values: JWT_ALGORITHMS }, list: true, default: ['RS256', 'ES256'], example: '["ES256"]', meaning: 'accepted `alg` values (pinned: `none` and HMAC are never accepted)' },
    clock_tolerance: { kind: 'leaf', type: { kind: 'duration' }, default: '30s', example: '"5s"', meaning: 'allowed clock skew for `exp` / `nbf`' },
    jwks_refresh: { kind: 'leaf', type: { kind: 'duration', minMs: 1000 }, default: '10m', example: '"1h"', meaning: 'jwks_url: refetch in the background after this long (calls go on with the cached set)' },
    jwks_cooldown: { kind: 'leaf', type: { kind: 'duration' }, default: '30s', example: '"1m"', meaning: 'jwks_url: least time between refetches caused by unknown `kid`s' },
  },
  crossCheck: (get) => {
    const file = get('jwks_file');
    const url = get('jwks_url');
    if (file === undefined || url === undefined) return undefined;
    if (file === null && url === null) return { key: 'jwks_file', problem: 'is not set, nor is jwks_url: one of them must say where the keys are' };
    if (file !== null && url !== null) return { key: 'jwks_file', problem: 'is set together with jwks_url: choose one' };
    return undefined;
  },
};

const apiKeys: BlockSpec = {
  kind: 'block',
  nullable: true,
  default: null,
  whole: true,
  meaning: 'API keys in `x-api-key`; absent = API keys are not accepted',
  keys: {
    file: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, required: true, example: '"/etc/tusk/api-keys.json"', meaning: 'JSON list of `{ sha256, subject, scopes }` (README), reread when it changes' },
  },
};

const mtls: BlockSpec = {
  kind: 'block',
  nullable: true,
  default: null,
  whole: true,
  meaning: 'a client certificate verified by [tls] ca authenticates its subject (SPIFFE URI SAN, else DNS SAN, else CN); absent = it does not (env TUSK_AUTH_MTLS=true/false adds or removes it)',
  keys: {
    scopes: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, default: [], example: '["inventory:read"]', meaning: 'scopes every certificate-authenticated caller gets' },
  },
};

export const authSection: BlockSpec = {
  kind: 'block',
  nullable: true,
  default: null,
  whole: true,
  meaning: 'authentication and authorization of callers; absent = none, present = every method needs an authenticated caller unless `public`',
  keys: {
    jwt,
    api_keys: apiKeys,
    mtls,
    default_scopes: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, default: [], example: '["inventory:read"]', meaning: 'scopes required by methods whose [methods] entry lists none' },
    protect_reflection: { kind: 'leaf', type: { kind: 'boolean' }, default: false, example: 'true', meaning: 'reflection needs an authenticated caller too (health checks stay public)' },
  },
};

/** The [methods] keys that say who may call a method. */
export const AUTH_METHOD_KEYS: Readonly<Record<string, KeySpec>> = {
  public: { kind: 'leaf', type: { kind: 'boolean' }, example: 'true', meaning: 'callable without credentials when [auth] is present (unset = false); wins over scopes' },
  scopes: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, example: '["inventory:write"]', meaning: 'scopes the caller must all hold; default [auth] default_scopes' },
};
