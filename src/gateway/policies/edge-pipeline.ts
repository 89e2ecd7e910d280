import type { Logger } from '../../telemetry/logger-types.js';
import type { EdgePolicySettings } from '../gateway-config.js';
import { clientIpPolicy } from './client-ip.js';
import { corsPolicy } from './cors.js';
import { edgeAuthPolicy } from './edge-auth.js';
import type { EdgePolicy, EdgeRequest } from './edge-policy.js';
import { rateLimitPolicy } from './rate-limit.js';
import { memoryStore, redisStore, type RedisStoreOptions } from './rate-limit-store.js';

export interface EdgePipelineOptions extends EdgePolicySettings {
  readonly trustedProxies: readonly string[];
  readonly logger: Logger;
  readonly redis?: RedisStoreOptions;
}

/**
 * The edge policies, in the order a request meets them:
 *   CORS (a preflight is answered here) → client address → auth → rate limit,
 * then the route and the upstream call. Auth runs before the rate limit so a
 * limit keyed by `subject` knows the subject; the address is known before
 * both, for their logs and the `ip` key. A policy whose section is absent is
 * not in the list at all.
 */
export class EdgePipeline {
  private constructor(private readonly policies: readonly EdgePolicy[]) {}

  static create(options: EdgePipelineOptions): EdgePipeline {
    const policies: EdgePolicy[] = [];
    try {
      if (options.cors !== null) policies.push(corsPolicy(options.cors));
      policies.push(clientIpPolicy(options.trustedProxies));
      if (options.auth !== null) policies.push(edgeAuthPolicy(options.auth, options.methods, options.logger));
      if (options.rateLimit !== null) {
        const store = options.rateLimit.store === 'redis' ? redisStore(options.rateLimit.redisUrl, options.logger, options.redis) : memoryStore();
        policies.push(rateLimitPolicy(options.rateLimit, options.methods, store));
      }
    } catch (error) {
      for (const policy of policies) void policy.close?.();
      throw error;
    }
    return new EdgePipeline(policies);
  }

  /** 'go' when the request may go on to its route, 'answered' when a policy answered it. A refusal throws (a TuskError). */
  async admit(request: EdgeRequest): Promise<'go' | 'answered'> {
    for (const policy of this.policies) {
      if ((await policy.apply(request)) === 'answered') return 'answered';
    }
    return 'go';
  }

  async close(): Promise<void> {
    await Promise.all(this.policies.map((policy) => policy.close?.()));
  }
}
