import type { AuthSection } from '../../config/types.js';
import { AuthFailure, permissionDenied, unauthenticated } from '../../security/auth/auth-refusal.js';
import { CallerAuthenticator } from '../../security/auth/caller-authenticator.js';
import { missingScopes } from '../../security/auth/scopes.js';
import { Code } from '../../status/codes.js';
import { TuskError } from '../../status/tusk-error.js';
import type { Logger } from '../../telemetry/logger-types.js';
import { tuskMetrics } from '../../telemetry/metrics.js';
import type { MethodEdgeSettings } from '../gateway-config.js';
import type { EdgePolicy, EdgeRequest } from './edge-policy.js';

/**
 * `[auth]` at the edge, with the services' own authenticator (bearer JWT,
 * API key): every method needs an authenticated caller holding its scopes
 * (`[methods] X { scopes }`, else `default_scopes`) unless `public: true`.
 * A request naming no method needs a caller too, so probing for routes tells
 * an anonymous caller nothing. The credentials stay in the request's headers,
 * so they travel upstream and the services check them again.
 */
export function edgeAuthPolicy(auth: AuthSection, methods: Readonly<Record<string, MethodEdgeSettings>>, logger: Logger): EdgePolicy {
  const authenticator = new CallerAuthenticator(auth, logger);
  const audit = logger.child({ audit: true });
  const refuse = (request: EdgeRequest, code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED', reason: string, error: TuskError): never => {
    const service = request.method?.service.descriptor.name ?? '';
    const method = request.method?.runtime.name ?? '';
    tuskMetrics().authRefused(service, method, code, reason);
    audit.warn({ service, method, request_id: request.exchange.requestId, peer: request.clientIp, code, reason, edge: true }, 'call refused');
    throw error;
  };
  return {
    apply: async (request) => {
      const policy = request.method === undefined ? undefined : methods[request.method.runtime.name];
      if (policy?.public === true) return;
      const { headers } = request.exchange.request;
      let principal;
      try {
        principal = await authenticator.authenticate({ header: (name) => firstValue(headers[name]) });
      } catch (error) {
        if (error instanceof AuthFailure) refuse(request, 'UNAUTHENTICATED', error.reason, unauthenticated(error.reason));
        throw new TuskError(Code.INTERNAL, 'authentication failed unexpectedly', undefined);
      }
      if (request.method !== undefined) {
        const missing = missingScopes(policy?.scopes ?? auth.defaultScopes, principal.scopes);
        if (missing.length > 0) refuse(request, 'PERMISSION_DENIED', 'missing_scope', permissionDenied(request.method.runtime.name, missing));
      }
      request.principal = principal;
    },
    close: () => authenticator.close(),
  };
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
