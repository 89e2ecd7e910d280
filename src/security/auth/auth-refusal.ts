import { Code } from '../../status/codes.js';
import { TuskError } from '../../status/tusk-error.js';

/**
 * Why a call was refused: a closed set, so metrics labels stay bounded and the
 * audit log and the caller's message never carry anything the caller sent.
 */
export type AuthFailureReason =
  | 'no_credentials'
  | 'malformed_credentials'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_wrong_issuer'
  | 'token_wrong_audience'
  | 'token_algorithm_not_allowed'
  | 'token_unknown_key'
  | 'token_invalid'
  | 'keys_unavailable'
  | 'api_key_unknown'
  | 'credential_kind_not_accepted';

export type AuthRefusalReason = AuthFailureReason | 'missing_scope';

const MESSAGES: Readonly<Record<AuthFailureReason, string>> = {
  no_credentials: 'credentials required: send "authorization: Bearer <token>" or "x-api-key"',
  malformed_credentials: 'credentials not understood',
  token_expired: 'token expired',
  token_not_yet_valid: 'token not yet valid',
  token_wrong_issuer: 'token not accepted: issuer',
  token_wrong_audience: 'token not accepted: audience',
  token_algorithm_not_allowed: 'token not accepted: algorithm',
  token_unknown_key: 'token not accepted: unknown signing key',
  token_invalid: 'token not accepted',
  keys_unavailable: 'token cannot be verified now: signing keys unavailable',
  api_key_unknown: 'API key not accepted',
  credential_kind_not_accepted: 'this kind of credential is not accepted by this service',
};

/** An authentication failure: becomes UNAUTHENTICATED. */
export class AuthFailure extends Error {
  constructor(readonly reason: AuthFailureReason) {
    super(MESSAGES[reason]);
    this.name = 'AuthFailure';
  }
}

export function unauthenticated(reason: AuthFailureReason): TuskError {
  return new TuskError(Code.UNAUTHENTICATED, MESSAGES[reason], { errorInfo: { reason: reason.toUpperCase(), domain: 'tusk-grpc', metadata: {} } });
}

/** PERMISSION_DENIED with an ErrorInfo naming the missing scopes (space separated, as in a JWT `scope`). */
export function permissionDenied(method: string, missing: readonly string[]): TuskError {
  return new TuskError(Code.PERMISSION_DENIED, `missing scope ${missing.join(' ')} for ${method}`, {
    errorInfo: { reason: 'MISSING_SCOPE', domain: 'tusk-grpc', metadata: { missing_scopes: missing.join(' '), method } },
  });
}
