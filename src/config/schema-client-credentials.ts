import type { KeySpec } from './schema-types.js';

const envName = (meaning: string, example: string): KeySpec => ({ kind: 'leaf', type: { kind: 'string', nonEmpty: true }, example, meaning });

/**
 * The `[dependencies]` keys about what a caller presents to the service it
 * calls (client/credentials/). An env var's name is written here, never its value.
 */
export const CLIENT_CREDENTIAL_KEYS: Readonly<Record<string, KeySpec>> = {
  credentials: {
    kind: 'block',
    meaning: 'what this caller presents: read from an environment variable at each call, never logged',
    keys: {
      bearer_env: envName('environment variable holding a bearer token, sent as `authorization: Bearer <token>`', '"ORDER_TOKEN"'),
      api_key_env: envName('environment variable holding an API key, sent as `x-api-key`', '"ORDER_API_KEY"'),
    },
    crossCheck: (get) => (typeof get('bearer_env') === 'string' && typeof get('api_key_env') === 'string' ? { key: 'api_key_env', problem: 'is set beside bearer_env: a caller presents one credential' } : undefined),
  },
  forward_auth: {
    kind: 'leaf', type: { kind: 'boolean' }, default: false, example: 'true',
    meaning: 'with `{ parent: ctx }`, send the incoming call\'s authorization / x-api-key on instead of this caller\'s own credentials (end-user propagation); off unless set',
  },
  allow_insecure_credentials: {
    kind: 'leaf', type: { kind: 'boolean' }, default: false, example: 'true',
    meaning: 'send credentials over plaintext to a non-loopback address (default: refused, FAILED_PRECONDITION, unsent)',
  },
};
