// The credentials stage of the client pipeline (pipeline.ts, stages 1b and 9b):
// which auth headers a call carries, and whether this endpoint may see them.
import { CallerError } from '../../resilience/failure.js';
import { Code } from '../../status/codes.js';
import { messageOf } from '../../status/tusk-error.js';
import type { CallMetadata } from '../../server/call-context.js';
import { AUTH_HEADERS, credentialHeaders, type ClientCredentials } from './credential.js';
import { insecureCredentialsProblem } from './insecure-rule.js';

export interface CallCredentialsOptions {
  /** The client's own credentials; undefined = none. */
  readonly credentials: ClientCredentials | undefined;
  /** Pass the parent call's incoming authorization / x-api-key on (end-user propagation). */
  readonly forwardAuth: boolean;
  readonly allowInsecure: boolean;
}

type Headers = Readonly<Record<string, string>>;
const NONE: Headers = Object.freeze({});

export class CallCredentials {
  /** A fixed credential's headers, checked once: a bad one is the programmer's mistake, thrown by createClient(). */
  private readonly fixed: Headers | undefined;

  constructor(private readonly options: CallCredentialsOptions) {
    const credentials = options.credentials;
    this.fixed = credentials === undefined || typeof credentials === 'function' ? undefined : credentialHeaders(credentials);
  }

  /** True when this client can ever add auth headers: otherwise the pipeline skips the stage. */
  static needed(options: Pick<CallCredentialsOptions, 'credentials' | 'forwardAuth'>): boolean {
    return options.credentials !== undefined || options.forwardAuth;
  }

  /**
   * The auth headers of one call, resolved once for all its attempts. With
   * forward_auth, the parent's incoming ones win (the end user's identity);
   * else the client's own. A credentials function that fails, or returns
   * something unusable, fails the call UNAUTHENTICATED before anything is sent.
   */
  forCall(parentMetadata: CallMetadata | undefined): Headers | Promise<Headers> {
    if (this.options.forwardAuth && parentMetadata !== undefined) {
      const forwarded: Record<string, string> = {};
      for (const header of AUTH_HEADERS) if (parentMetadata[header] !== undefined) forwarded[header] = parentMetadata[header];
      if (Object.keys(forwarded).length > 0) return forwarded;
    }
    const credentials = this.options.credentials;
    if (credentials === undefined) return NONE;
    if (typeof credentials !== 'function') return this.fixed!;
    let produced: ReturnType<typeof credentials>;
    try {
      produced = credentials();
    } catch (error) {
      return Promise.reject(unauthenticated(error));
    }
    if (produced instanceof Promise || (produced !== null && typeof (produced as { then?: unknown }).then === 'function')) {
      return Promise.resolve(produced).then((credential) => usable(() => credentialHeaders(credential)), (error: unknown) => Promise.reject(unauthenticated(error)));
    }
    return usable(() => credentialHeaders(produced as Exclude<typeof produced, Promise<unknown>>));
  }

  /** Throws (unsent, not retried, not the endpoint's fault) when `headers` must not go to this endpoint in plaintext. */
  checkEndpoint(address: string, secure: boolean, headers: Headers): void {
    if (headers === NONE || Object.keys(headers).length === 0) return;
    const problem = insecureCredentialsProblem({ secure, address, allowInsecure: this.options.allowInsecure });
    if (problem !== undefined) throw new CallerError(Code.FAILED_PRECONDITION, problem);
  }
}

function usable(headers: () => Headers): Headers {
  try {
    return headers();
  } catch (error) {
    throw unauthenticated(error);
  }
}

/** The cause's message says what went wrong; a credential's value never reaches it (credential.ts). */
function unauthenticated(error: unknown): CallerError {
  return new CallerError(Code.UNAUTHENTICATED, `could not get the client's credentials: ${messageOf(error)}`, error);
}
