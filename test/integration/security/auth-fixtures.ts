// Shared parts of the auth tests: a JWKS served over loopback HTTP by a real
// node:http server, signing keys made by jose, and promise forms of raw
// grpc-js calls that report the status, its ErrorInfo and what arrived.
import { createServer, type Server } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { decodeStatusDetails } from '../../../src/status/status-details.js';
import type { ErrorInfo } from '../../../src/status/error-details.js';
import type { RawEchoClient } from '../../helpers/server-raw-client.js';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

export interface TokenClaims {
  readonly sub?: string;
  readonly scope?: string;
  readonly scp?: readonly string[];
  readonly iss?: string;
  readonly aud?: string;
  /** Seconds from now; negative = already expired. Default 300. */
  readonly expiresIn?: number;
}

export const ISSUER = 'https://idp.tusk.test/';
export const AUDIENCE = 'echo';

export function signToken(key: SigningKey, claims: TokenClaims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { sub = 'user-1', iss = ISSUER, aud = AUDIENCE, expiresIn = 300, scope, scp } = claims;
  const jwt = new SignJWT({ ...(scope !== undefined ? { scope } : {}), ...(scp !== undefined ? { scp: [...scp] } : {}) })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt(now - (expiresIn < 0 ? 600 : 0))
    .setExpirationTime(now + expiresIn);
  return jwt.sign(key.privateKey);
}

/** A JWKS endpoint on loopback whose key set, and whether it answers at all, the test changes. */
export class JwksServer {
  keys: JWK[] = [];
  /** When false, every request gets a 503. */
  up = true;
  requests = 0;
  failedRequests = 0;
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<JwksServer> {
    let self: JwksServer | undefined;
    const server = createServer((request, response) => {
      const jwks = self!;
      jwks.requests += 1;
      if (!jwks.up) {
        jwks.failedRequests += 1;
        response.writeHead(503).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: jwks.keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    self = new JwksServer(server, `http://127.0.0.1:${port}/.well-known/jwks.json`);
    return self;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface CallStatus {
  readonly code: number;
  readonly details: string;
  readonly errorInfo: ErrorInfo | undefined;
  /** Messages received before the status (streaming). */
  readonly received: number;
}

function statusOf(error: grpc.ServiceError | grpc.StatusObject, received: number): CallStatus {
  const bytes = error.metadata?.get('grpc-status-details-bin')[0];
  const decoded = Buffer.isBuffer(bytes) ? decodeStatusDetails(bytes) : undefined;
  return { code: error.code, details: error.details, errorInfo: decoded?.details?.errorInfo, received };
}

export function metadataWith(entries: Readonly<Record<string, string>>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
}

/** A unary Echo/Create call's status: OK (code 0) or the error's. */
export function unaryStatus(client: RawEchoClient, method: 'echo' | 'create', headers: Readonly<Record<string, string>> = {}): Promise<CallStatus> {
  return new Promise((resolve) => {
    client[method]({ text: 'hi' }, metadataWith(headers), { deadline: Date.now() + 10_000 }, (error: grpc.ServiceError | null) =>
      resolve(error ? statusOf(error, 0) : { code: grpc.status.OK, details: '', errorInfo: undefined, received: 1 }),
    );
  });
}

/** A CountUp stream's final status and how many messages arrived first. */
export function countUpStatus(client: RawEchoClient, count: number, headers: Readonly<Record<string, string>> = {}): Promise<CallStatus> {
  return new Promise((resolve) => {
    let received = 0;
    const call = client.countUp({ text: String(count) }, metadataWith(headers), { deadline: Date.now() + 10_000 });
    call.on('data', () => (received += 1));
    call.on('error', () => undefined);
    call.on('status', (status: grpc.StatusObject) => resolve(statusOf(status, received)));
  });
}
