import { createHash } from 'node:crypto';

/** One accepted API key: the SHA-256 of the key (never the key itself), who it is, what it may do. */
export interface ApiKeyEntry {
  readonly hash: Buffer;
  readonly subject: string;
  readonly scopes: readonly string[];
}

/** The hash stored in the key file: lowercase hex SHA-256 of the key's UTF-8 bytes (`printf %s "$KEY" | sha256sum`). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * The key file: a JSON list of `{ "sha256": "<64 hex>", "subject": "...", "scopes": ["..."] }`.
 * Errors name the entry, never a value that might be a pasted key.
 */
export function parseApiKeyFile(text: string): readonly ApiKeyEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('is not JSON (expected a list of { "sha256", "subject", "scopes" })');
  }
  if (!Array.isArray(json)) throw new Error('is not a JSON list of { "sha256", "subject", "scopes" }');
  const seen = new Set<string>();
  return json.map((item: unknown, index): ApiKeyEntry => {
    const where = `entry ${index + 1}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new Error(`${where} is not an object`);
    const { sha256, subject, scopes = [] } = item as Record<string, unknown>;
    if (typeof sha256 !== 'string' || !HEX_SHA256.test(sha256.toLowerCase())) throw new Error(`${where}: "sha256" is not 64 hex digits (hash the key, e.g. npx tusk-grpc hash-key)`);
    if (typeof subject !== 'string' || subject === '') throw new Error(`${where}: "subject" is not a non-empty string`);
    if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string' && scope !== '')) throw new Error(`${where}: "scopes" is not a list of non-empty strings`);
    const hex = sha256.toLowerCase();
    if (seen.has(hex)) throw new Error(`${where}: the same key hash appears twice`);
    seen.add(hex);
    return { hash: Buffer.from(hex, 'hex'), subject, scopes: scopes as string[] };
  });
}
