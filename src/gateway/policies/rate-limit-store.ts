import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../../telemetry/logger-types.js';
import type { LimitSettings } from '../gateway-config.js';

/** Where the counters of the rate limits live: one limiter per limit, all in the same store. */
export interface RateLimitStore {
  limiter(name: string, limit: LimitSettings): RateLimiterAbstract;
  close(): Promise<void>;
}

const memoryLimiter = (name: string, limit: LimitSettings): RateLimiterMemory =>
  new RateLimiterMemory({ keyPrefix: name, points: limit.requests, duration: limit.windowMs / 1000 });

/** Counts per gateway instance. */
export function memoryStore(): RateLimitStore {
  return { limiter: memoryLimiter, close: async () => undefined };
}

/** A Redis URL with its password (if any) replaced, fit for logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<redis url>';
  }
}

export interface RedisStoreOptions {
  /** Longest pause between reconnect attempts (ms). Default 2000. */
  readonly maxReconnectDelayMs?: number;
  /** A Redis command that takes longer fails, and the instance counts on its own for it. Default 250 ms. */
  readonly commandTimeoutMs?: number;
}

/**
 * Counts in Redis (ioredis), shared by every instance using it. While Redis
 * cannot answer, each limiter's insuranceLimiter (rate-limiter-flexible's
 * fallback) counts in memory with the same limit: never unlimited, never an
 * error to the caller. Commands are not queued while disconnected (they fail
 * at once, to the fallback), reconnects back off up to maxReconnectDelayMs,
 * and errors are logged once per outage, with the password hidden.
 */
export function redisStore(url: string, logger: Logger, options: RedisStoreOptions = {}): RateLimitStore {
  const shown = redactedUrl(url);
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxDelay),
  });
  let healthy = true;
  client.on('error', (error: Error) => {
    if (!healthy) return;
    healthy = false;
    // ioredis's messages name host and port, never the password; the URL is shown redacted.
    logger.warn({ redis: shown, error: error.message }, 'rate limit store unreachable: counting per gateway instance until it is back');
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.info({ redis: shown }, 'rate limit store reachable again: limits are shared again');
  });
  return {
    limiter: (name, limit) => new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `tusk-gateway:${name}`,
      points: limit.requests,
      duration: limit.windowMs / 1000,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memoryLimiter(name, limit),
    }),
    close: async () => {
      client.disconnect(false);
    },
  };
}
