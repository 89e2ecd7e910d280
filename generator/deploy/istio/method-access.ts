import type { RawValue } from '../../../src/config/index.js';
import type { DeployMethod, DeployTarget } from '../target.js';
import { requestAuthentication } from './request-authentication.js';

/** Who may call one method, as far as the descriptor says. */
export interface MethodAccess {
  readonly method: DeployMethod;
  /** `[methods] X { public: true }`: any caller, authenticated or not. */
  readonly public: boolean;
  /** Every scope the caller's JWT must carry; empty = none asked (callers only). */
  readonly scopes: readonly string[];
}

const isObject = (value: RawValue | undefined): value is { readonly [key: string]: RawValue } =>
  value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);

/** A list of plain strings; anything else (an @env, a number) is not something a manifest can hold. */
function stringList(value: RawValue | undefined): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...(value as string[])] : undefined;
}

/**
 * The security work's `[methods] X { public, scopes }` and `[auth]
 * default_scopes`, read from the raw descriptor without depending on that
 * schema: absent keys mean "callers only". Scopes are JWT claims, so the mesh
 * can check them only where it verifies the JWT itself (a RequestAuthentication
 * from `[auth] jwt` with a `jwks_url`); otherwise the service checks them alone.
 */
export function methodAccess(target: DeployTarget): MethodAccess[] {
  const auth = target.raw.auth;
  const jwt = requestAuthentication(target) !== undefined;
  const defaultScopes = (isObject(auth) ? stringList(auth.default_scopes) : undefined) ?? [];
  return target.methods.map((method) => {
    const entry = target.rawMethods[method.name];
    const isPublic = isObject(entry) && entry.public === true;
    const scopes = isObject(entry) ? (stringList(entry.scopes) ?? defaultScopes) : defaultScopes;
    return { method, public: isPublic, scopes: jwt && !isPublic ? [...new Set(scopes)].sort() : [] };
  });
}
