import type { Principal } from './principal.js';

/** How long a verified token is trusted without verifying its signature again (bounded by its `exp`). */
export const VERIFIED_TOKEN_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/**
 * Tokens already verified, so a caller that sends the same token on every call
 * pays a Map lookup rather than a signature check. Bounded in size (the oldest
 * entry leaves first) and in time; cleared when the key set changes.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { readonly principal: Principal; readonly until: number }>();

  get(token: string, now = Date.now()): Principal | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (now < entry.until) return entry.principal;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, principal: Principal, expiresAt: number, now = Date.now()): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { principal, until: Math.min(expiresAt, now + VERIFIED_TOKEN_TTL_MS) });
  }

  clear(): void {
    this.entries.clear();
  }
}
