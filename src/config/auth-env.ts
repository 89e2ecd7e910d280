import { ConfigError } from './config-error.js';
import { envText, resolveValue } from './resolve-value.js';
import { coerceEnvValue } from './scalar-check.js';
import { authSection } from './schema-auth.js';
import type { LeafSpec } from './schema-types.js';
import type { AuthSection } from './types.js';

/**
 * TUSK_AUTH_MTLS (true/false): identify callers by their verified client
 * certificate without editing the .tsk, as TUSK_TLS_* turn on mTLS. `true`
 * adds `[auth] mtls` (and `[auth]` with its defaults when the descriptor has
 * none, so every non-public method then needs a certificate-authenticated
 * caller); `false` removes `[auth] mtls`. Not one of DESIGN.md's contract variables.
 */
export const AUTH_MTLS_VARIABLE = 'TUSK_AUTH_MTLS';

const SWITCH: LeafSpec = { kind: 'leaf', type: { kind: 'boolean' }, meaning: 'TUSK_AUTH_MTLS' };

export function applyAuthEnv(auth: AuthSection | null, env: NodeJS.ProcessEnv, source: string): AuthSection | null {
  const text = envText(env, AUTH_MTLS_VARIABLE);
  if (text === undefined) return auth;
  const checked = coerceEnvValue(SWITCH, text);
  if (!checked.ok) throw new ConfigError(source, '[auth] mtls', `${AUTH_MTLS_VARIABLE}=${JSON.stringify(text)} ${checked.problem}`, AUTH_MTLS_VARIABLE);
  if (checked.value === false) return auth === null ? null : { ...auth, mtls: null };
  const base = auth ?? (resolveValue(authSection, {}, { section: 'auth', path: [] }, { source, env }, false) as AuthSection);
  return { ...base, mtls: base.mtls ?? { scopes: [] } };
}
