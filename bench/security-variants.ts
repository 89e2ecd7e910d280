// The transport security a benchmark variant runs under: plaintext (the
// baseline), TLS (server certificate, the client verifies it), or TLS plus a
// JWT bearer token on every call, verified by the server's [auth] jwt with a
// jwks_file (so the key is local and, after the first call, the token is
// answered from the verified-token cache). The PKI is made by openssl at run
// time (test/helpers/certs.ts) and passed to server children through one
// environment variable.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { makeTestPki } from '../test/helpers/certs.js';
import { AUDIENCE, ISSUER, signingKey, signToken } from '../test/integration/security/auth-fixtures.js';

export const SECURITY_LEVELS = ['plaintext', 'tls', 'tls+jwt'] as const;
export type Security = (typeof SECURITY_LEVELS)[number];

/** `--security plaintext,tls,tls+jwt`; default plaintext only. */
export function parseSecurity(text: string | undefined): Security[] {
  const levels = (text ?? 'plaintext').split(',');
  for (const level of levels) if (!(SECURITY_LEVELS as readonly string[]).includes(level)) throw new Error(`--security: ${level} is not one of ${SECURITY_LEVELS.join(', ')}`);
  return levels as Security[];
}

/** Files and the token, as JSON-able paths: what a server child needs. */
export interface SecurityMaterial {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly jwksFile: string;
  /** ES256, scope "echo:read", valid for an hour (longer than any run). */
  readonly token: string;
}

export const SECURITY_ENV = 'BENCH_SECURITY_MATERIAL';

export async function makeSecurityMaterial(): Promise<{ material: SecurityMaterial; destroy(): Promise<void> }> {
  const pki = await makeTestPki();
  const dir = mkdtempSync(join(tmpdir(), 'bench-jwks-'));
  const key = await signingKey('bench-key');
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [key.publicJwk] }));
  const token = await signToken(key, { scope: 'echo:read', expiresIn: 3600 });
  return {
    material: { ca: pki.ca.cert, cert: pki.server.cert, key: pki.server.key, jwksFile, token },
    destroy: async () => {
      rmSync(dir, { recursive: true, force: true });
      await pki.destroy();
    },
  };
}

export function materialFromEnv(): SecurityMaterial {
  const text = process.env[SECURITY_ENV];
  if (text === undefined) throw new Error(`${SECURITY_ENV} is not set: the parent passes the PKI to its server children`);
  return JSON.parse(text) as SecurityMaterial;
}

/** `defaults:tls+jwt` → base `defaults`, security `tls+jwt`; no suffix = plaintext. */
export function splitVariant(variant: string): { base: string; security: Security } {
  const at = variant.lastIndexOf(':');
  if (at < 0) return { base: variant, security: 'plaintext' };
  return { base: variant.slice(0, at), security: parseSecurity(variant.slice(at + 1))[0]! };
}

/** What a TuskServer needs for a level: TUSK_TLS_* (server side), and [auth] jwt requiring the token's scope. */
export function tuskServerSecurity(security: Security, material: SecurityMaterial): { env: Record<string, string>; config: Record<string, unknown> } {
  if (security === 'plaintext') return { env: {}, config: {} };
  const env = { TUSK_TLS_CERT: material.cert, TUSK_TLS_KEY: material.key };
  if (security === 'tls') return { env, config: {} };
  const jwt = { issuer: ISSUER, audience: [AUDIENCE], jwks_file: material.jwksFile, algorithms: ['ES256'] };
  return { env, config: { auth: { jwt, default_scopes: ['echo:read'] } } };
}

export function rawServerCredentials(security: Security, material: SecurityMaterial | undefined): grpc.ServerCredentials {
  if (security === 'plaintext' || material === undefined) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(readText(material.cert)), private_key: Buffer.from(readText(material.key)) }], false);
}

export function rawClientCredentials(security: Security, material: SecurityMaterial | undefined): grpc.ChannelCredentials {
  if (security === 'plaintext' || material === undefined) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(Buffer.from(readText(material.ca)));
}

/** The metadata a raw client sends: the bearer token for tls+jwt, nothing otherwise. */
export function rawMetadata(security: Security, material: SecurityMaterial | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (security === 'tls+jwt' && material !== undefined) metadata.set('authorization', `Bearer ${material.token}`);
  return metadata;
}

const readText = (path: string) => readFileSync(path, 'utf8');
