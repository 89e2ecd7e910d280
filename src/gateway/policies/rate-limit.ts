import { createHash } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { API_KEY_HEADER } from '../../security/auth/api-key-provider.js';
import { Code } from '../../status/codes.js';
import type { LimitSettings, MethodEdgeSettings, RateLimitSettings } from '../gateway-config.js';
import { GatewayFailure } from '../http-errors.js';
import type { EdgePolicy, EdgeRequest } from './edge-policy.js';
import type { RateLimitStore } from './rate-limit-store.js';

interface Limit {
  readonly limiter: RateLimiterAbstract;
  readonly settings: LimitSettings;
}

/**
 * The caller a limit counts for. `subject` and `api_key` fall back to the
 * address when the request has none (a public method, no key), so an
 * anonymous caller is limited too. An API key is counted by its hash: the
 * key itself is never a Redis key.
 */
export function rateLimitKey(kind: RateLimitSettings['key'], request: EdgeRequest): string {
  if (kind === 'subject' && request.principal !== undefined) return `subject:${request.principal.subject}`;
  if (kind === 'api_key') {
    const key = request.exchange.request.headers[API_KEY_HEADER];
    if (typeof key === 'string' && key !== '') return `api_key:${createHash('sha256').update(key).digest('hex')}`;
  }
  return `ip:${request.clientIp}`;
}

/**
 * `[rate_limit]` and `[methods] X { rate_limit }`: a method with its own limit
 * counts apart, every other method shares the section's. Each answer carries
 * the IETF draft's RateLimit-Limit, -Remaining and -Reset (seconds); a caller
 * over the limit gets 429 RESOURCE_EXHAUSTED with Retry-After and RetryInfo.
 */
export function rateLimitPolicy(settings: RateLimitSettings, methods: Readonly<Record<string, MethodEdgeSettings>>, store: RateLimitStore): EdgePolicy {
  const shared: Limit = { limiter: store.limiter('all', settings), settings };
  const own = new Map<string, Limit>();
  for (const [name, method] of Object.entries(methods)) {
    if (method.rateLimit) own.set(name, { limiter: store.limiter(`method:${name}`, method.rateLimit), settings: method.rateLimit });
  }
  return {
    apply: async (request) => {
      const limit = (request.method === undefined ? undefined : own.get(request.method.runtime.name)) ?? shared;
      const { response } = request.exchange;
      let state: RateLimiterRes;
      let refused = false;
      try {
        state = await limit.limiter.consume(rateLimitKey(settings.key, request));
      } catch (rejection) {
        // The store's own failures go to its insurance limiter: a rejection here is the limit.
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        state = rejection;
        refused = true;
      }
      const resetSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      response.setHeader('ratelimit-limit', String(limit.settings.requests));
      response.setHeader('ratelimit-remaining', String(state.remainingPoints));
      response.setHeader('ratelimit-reset', String(resetSeconds));
      if (!refused) return;
      throw new GatewayFailure(Code.RESOURCE_EXHAUSTED, `rate limit of ${limit.settings.requests} requests per ${limit.settings.windowMs / 1000}s reached: retry in ${resetSeconds}s`, 429, {
        retryInfo: { retryDelayMs: state.msBeforeNext },
      }, { 'retry-after': String(resetSeconds) });
    },
    close: () => store.close(),
  };
}
