import type { IRequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication';
import type { RawValue } from '../../../src/config/index.js';
import { isRawEnvRef } from '../../../src/tsk/index.js';
import { metadata, selectorLabels } from '../labels.js';
import { rawAt, type DeployTarget } from '../target.js';

/** A string as written, or an @env's default (what deploy reads everywhere); undefined otherwise. */
function plainString(value: RawValue | undefined): string | undefined {
  const written = value !== undefined && value !== null && isRawEnvRef(value) ? value.default : value;
  return typeof written === 'string' && written !== '' ? written : undefined;
}

function stringList(value: RawValue | undefined): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  const one = plainString(value);
  return one === undefined ? [] : [one];
}

/**
 * The security work's `[auth] jwt { issuer, audience, jwks_url }` (read from
 * the raw descriptor, so this branch does not need that schema) as a
 * RequestAuthentication, so the sidecar verifies tokens and the
 * AuthorizationPolicy can match their scopes. The token is forwarded: the
 * service verifies it again and builds `ctx.principal` from it. A `jwks_file`
 * has no URL the mesh could fetch: undefined then, and scopes stay the
 * service's own check.
 */
export function requestAuthentication(target: DeployTarget): IRequestAuthentication | undefined {
  const issuer = plainString(rawAt(target.raw, ['auth', 'jwt', 'issuer']));
  const jwksUri = plainString(rawAt(target.raw, ['auth', 'jwt', 'jwks_url']));
  if (issuer === undefined || jwksUri === undefined) return undefined;
  const audiences = stringList(rawAt(target.raw, ['auth', 'jwt', 'audience']));
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'RequestAuthentication',
    metadata: metadata(target),
    spec: {
      selector: { matchLabels: selectorLabels(target) },
      jwtRules: [{ issuer, jwksUri, ...(audiences.length > 0 ? { audiences } : {}), forwardOriginalToken: true, spaceDelimitedClaims: ['scope'] }],
    },
  };
}
