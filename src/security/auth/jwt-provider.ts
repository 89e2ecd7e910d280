import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { JwtAuthConfig } from '../../config/types.js';
import type { Logger } from '../../telemetry/logger-types.js';
import { AuthFailure, type AuthFailureReason } from './auth-refusal.js';
import { fileKeySource, remoteKeySource, type KeySource } from './jwks-sources.js';
import type { Principal } from './principal.js';
import { scopesFromClaims } from './scopes.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

/** Bearer tokens verified with jose against pinned algorithms, issuer and audience. */
export class JwtProvider {
  private readonly keys: KeySource;
  private readonly cache = new VerifiedTokenCache();
  private readonly verifyOptions: Parameters<typeof jwtVerify>[2];

  constructor(config: JwtAuthConfig, logger: Logger, pollIntervalMs?: number) {
    this.keys = config.jwksFile !== null
      ? fileKeySource(config.jwksFile, logger, pollIntervalMs)
      : remoteKeySource(config.jwksUrl!, { refreshMs: config.jwksRefreshMs, cooldownMs: config.jwksCooldownMs, logger });
    // A replaced key set may have dropped a key: tokens it signed are verified again.
    this.keys.onChange(() => this.cache.clear());
    this.verifyOptions = {
      issuer: config.issuer,
      audience: [...config.audience],
      // Pinned: the token's `alg` must be one of these, so `none` and HS256-with-a-public-key never verify.
      algorithms: [...config.algorithms],
      clockTolerance: config.clockToleranceMs / 1000,
      requiredClaims: ['exp', 'sub'],
    };
    this.toleranceMs = config.clockToleranceMs;
  }

  private readonly toleranceMs: number;

  /** The principal of a token; AuthFailure when it does not verify. Tokens seen before are answered from a short cache. */
  authenticate(token: string): Principal | Promise<Principal> {
    // A cache hit stays synchronous: no promise, no extra turn of the event loop.
    return this.cache.get(token) ?? this.verify(token);
  }

  private async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys.getKey, this.verifyOptions));
    } catch (error) {
      throw new AuthFailure(failureReason(error));
    }
    const principal: Principal = { kind: 'jwt', subject: payload.sub!, scopes: scopesFromClaims(payload), claims: Object.freeze({ ...payload }) };
    this.cache.set(token, principal, payload.exp! * 1000 + this.toleranceMs);
    return principal;
  }

  close(): void {
    this.keys.close();
  }
}

/** jose's error, as a reason with a bounded set of values (the error's own message may quote claim values). */
function failureReason(error: unknown): AuthFailureReason {
  if (error instanceof errors.JWTExpired) return 'token_expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'token_wrong_issuer';
    if (error.claim === 'aud') return 'token_wrong_audience';
    if (error.claim === 'nbf') return 'token_not_yet_valid';
    return 'token_invalid';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token_algorithm_not_allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token_unknown_key';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed_credentials';
  // Not about the token: the key set could not be had (IdP unreachable, timed out, not 200, not a JWKS).
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError) || error.constructor === errors.JOSEError) return 'keys_unavailable';
  return 'token_invalid';
}
