import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../../telemetry/logger-types.js';
import { WatchedFile } from './watched-file.js';

/** Where the verification keys come from: a file or a URL, behind one shape. */
export interface KeySource {
  readonly getKey: JWTVerifyGetKey;
  /** Called whenever the key set was replaced, so verified-token caches can be dropped. */
  onChange(listener: () => void): void;
  close(): void;
}

function parseJwks(text: string): JWTVerifyGetKey {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('is not JSON');
  }
  // createLocalJWKSet checks the shape ({ keys: [...] }) and says what is wrong.
  return createLocalJWKSet(json as JSONWebKeySet);
}

/** `jwks_file`: reread when it changes; a broken rewrite keeps the last good set. */
export function fileKeySource(path: string, logger: Logger, pollIntervalMs?: number): KeySource {
  const listeners: (() => void)[] = [];
  const file = new WatchedFile(path, '[auth] jwt jwks_file', parseJwks, logger, pollIntervalMs, () => listeners.forEach((listener) => listener()));
  return {
    getKey: (header, token) => file.value(header, token),
    onChange: (listener) => listeners.push(listener),
    close: () => file.close(),
  };
}

export interface RemoteKeyOptions {
  readonly refreshMs: number;
  readonly cooldownMs: number;
  readonly logger: Logger;
}

/**
 * `jwks_url`, on jose's createRemoteJWKSet, which already refetches on an
 * unknown `kid` (at most once per cool-down) and keeps its key set when a
 * fetch fails. What it does not do, read in jose 6.2's jwks/remote.js: once
 * the set is older than `cacheMaxAge`, EVERY verification first awaits a
 * refetch and fails when the IdP is down. So jose's own expiry is switched
 * off (cacheMaxAge Infinity) and this refreshes in the background instead,
 * never making a call wait or fail for it.
 */
export function remoteKeySource(url: string, options: RemoteKeyOptions): KeySource {
  // Counts the key sets fetched (jose's jwks() clones the set, so it cannot tell cheaply whether it changed).
  let fetched = 0;
  const countingFetch = async (input: string, init: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    if (response.status === 200) fetched += 1;
    return response;
  };
  const remote = createRemoteJWKSet(new URL(url), {
    cacheMaxAge: Number.POSITIVE_INFINITY, cooldownDuration: options.cooldownMs, timeoutDuration: 5_000, [customFetch]: countingFetch,
  });
  const listeners: (() => void)[] = [];
  let seen = 0;
  let nextRefreshAt = 0;
  const noticeChange = () => {
    if (fetched === seen) return;
    seen = fetched;
    for (const listener of listeners) listener();
  };
  const refreshInBackground = () => {
    nextRefreshAt = Date.now() + options.refreshMs;
    remote.reload().then(noticeChange, (error: unknown) => {
      // Try again after the cool-down, not at every call; the cached set stays in use.
      nextRefreshAt = Date.now() + options.cooldownMs;
      options.logger.warn({ jwks_url: url, reason: error instanceof Error ? error.message : String(error) }, 'JWKS refresh failed, keeping the last good key set');
    });
  };
  return {
    getKey: async (header, token) => {
      if (seen === 0) nextRefreshAt = Date.now() + options.refreshMs;
      else if (Date.now() >= nextRefreshAt && !remote.reloading) refreshInBackground();
      try {
        return await remote(header, token);
      } finally {
        noticeChange();
      }
    },
    onChange: (listener) => listeners.push(listener),
    close: () => undefined,
  };
}
