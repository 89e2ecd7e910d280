import { hash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../telemetry/logger-types.js';
import { parseApiKeyFile, type ApiKeyEntry } from './api-key-file.js';
import { AuthFailure } from './auth-refusal.js';
import type { Principal } from './principal.js';
import { WatchedFile } from './watched-file.js';

export const API_KEY_HEADER = 'x-api-key';

const NO_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});

/** `x-api-key` checked against the SHA-256 hashes of `[auth] api_keys { file }`, reloaded when it changes. */
export class ApiKeyProvider {
  private readonly file: WatchedFile<readonly ApiKeyEntry[]>;

  constructor(path: string, logger: Logger, pollIntervalMs?: number) {
    this.file = new WatchedFile(path, '[auth] api_keys file', parseApiKeyFile, logger, pollIntervalMs);
  }

  authenticate(key: string): Principal {
    // crypto.hash: one call, no Hash object per call.
    const presented = hash('sha256', key, 'buffer');
    let found: ApiKeyEntry | undefined;
    // Every entry is compared, in constant time each: how long this takes says nothing about which hash came close.
    for (const entry of this.file.value) {
      if (timingSafeEqual(entry.hash, presented)) found ??= entry;
    }
    if (found === undefined) throw new AuthFailure('api_key_unknown');
    return { kind: 'api_key', subject: found.subject, scopes: found.scopes, claims: NO_CLAIMS };
  }

  close(): void {
    this.file.close();
  }
}
