// Who is calling, as the auth stage established it (issue 11, contract shape).
import type { Metadata } from '@grpc/grpc-js';

export type PrincipalKind = 'mtls' | 'jwt' | 'api_key';

export interface Principal {
  readonly kind: PrincipalKind;
  /** mTLS: SPIFFE URI SAN, else DNS SAN, else CN. JWT: `sub`. API key: the key file entry's subject. */
  readonly subject: string;
  readonly scopes: readonly string[];
  /** JWT: the verified payload; mTLS: { san, cn, fingerprint256 }; API key: {}. */
  readonly claims: Readonly<Record<string, unknown>>;
}

// Interceptors and handler share only the request Metadata object grpc-js
// passes down the chain, so the principal rides on it under a private symbol
// (as the server trace does, see server/server-trace.ts).
const PRINCIPAL = Symbol('tusk-grpc.principal');

type WithPrincipal = Metadata & { [PRINCIPAL]?: Principal };

export function attachPrincipal(metadata: Metadata, principal: Principal): void {
  (metadata as WithPrincipal)[PRINCIPAL] = principal;
}

export function principalOf(metadata: Metadata): Principal | undefined {
  return (metadata as WithPrincipal)[PRINCIPAL];
}
