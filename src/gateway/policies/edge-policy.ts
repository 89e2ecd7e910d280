import type { Principal } from '../../security/auth/principal.js';
import type { Exchange } from '../exchange.js';
import type { GatewayMethod } from '../http-rules.js';

/** One request as the edge policies see it, filled in as it goes through them. */
export interface EdgeRequest {
  readonly exchange: Exchange;
  /** The method the request is for; undefined when it names none (it will be a 404 or 405). */
  readonly method: GatewayMethod | undefined;
  /** The caller's address: the peer, or X-Forwarded-For's when the peer is a trusted proxy (client-ip.ts). */
  clientIp: string;
  /** Who is calling, once edge auth established it. */
  principal: Principal | undefined;
}

/**
 * One edge policy. It returns 'answered' when it answered the request itself
 * (a CORS preflight), throws a TuskError to refuse it (401, 403, 429), and
 * otherwise lets it go on to the next policy and then to its route. Headers
 * every answer must carry (CORS, RateLimit-*) it sets on the response, where
 * the answer's writeHead, a refusal's too, merges them in.
 */
export interface EdgePolicy {
  apply(request: EdgeRequest): void | 'answered' | Promise<void | 'answered'>;
  close?(): Promise<void> | void;
}
