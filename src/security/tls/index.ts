// TLS and mTLS: checked PEM files, server and channel credentials, rotation (grpc-js certificate providers, experimental there).
export { TlsFileError, checkCa, checkIdentity, readTlsFile, tlsPath, type CheckedIdentity, type IdentityFiles } from './pem-check.js';
export { ValidatedCertificateProvider, type TlsFiles } from './validated-provider.js';
export { serverTlsCredentials, serverTlsEnabled, tlsConnectionAgeOption, TLS_DEFAULT_MAX_CONNECTION_AGE_MS, type ServerTls } from './server-tls.js';
export { clientTlsFor, effectiveClientTls, type ClientTls, type EffectiveClientTls } from './client-tls.js';
export { transportIsSecure } from './transport-security.js';
