export { API_KEY_HEADER, AUTHORIZATION_HEADER, type ClientCredentials, type Credential } from './credential.js';
export { CallCredentials } from './call-credentials.js';
export { callCredentialsFor } from './from-config.js';
export { insecureCredentialsProblem, isLoopbackAddress, type CredentialChannel } from './insecure-rule.js';
