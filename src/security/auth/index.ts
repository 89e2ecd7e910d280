// Who is calling and what they may do (issue 11): the server chain's auth stage and its providers.
export type { Principal, PrincipalKind } from './principal.js';
export { principalOf } from './principal.js';
export { createAuthStage, type AuthStage, type AuthStageOptions, type AuthRefusalRecorder } from './auth-stage.js';
export type { AuthFailureReason, AuthRefusalReason } from './auth-refusal.js';
export { hashApiKey, parseApiKeyFile, type ApiKeyEntry } from './api-key-file.js';
export { API_KEY_HEADER } from './api-key-provider.js';
export { certificateSubject, parseSubjectAltName, mtlsPrincipal } from './mtls-identity.js';
export { scopesFromClaims, missingScopes } from './scopes.js';
