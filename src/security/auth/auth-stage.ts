import { Code } from '../../status/codes.js';
import { TuskError } from '../../status/tusk-error.js';
import type { ServerAuthHook, ServerCallInfo } from '../../server/server-hooks.js';
import type { Logger } from '../../telemetry/logger-types.js';
import { tuskMetrics } from '../../telemetry/metrics.js';
import { AuthFailure, permissionDenied, unauthenticated, type AuthRefusalReason } from './auth-refusal.js';
import { CallerAuthenticator } from './caller-authenticator.js';
import { authenticatorKeyOf, methodAccessTable, type HostedForAuth, type MethodAccess } from './method-access.js';
import type { Principal } from './principal.js';
import { missingScopes } from './scopes.js';

/** Counts a refused call: `code` is UNAUTHENTICATED or PERMISSION_DENIED. */
export type AuthRefusalRecorder = (service: string, method: string, code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED', reason: AuthRefusalReason) => void;

export interface AuthStageOptions {
  readonly logger: Logger;
  /** Default: the process metrics' `tusk_server_auth_refusals_total`. */
  readonly recordRefusal?: AuthRefusalRecorder;
  /** How often key files are stat'ed (tests shorten it). */
  readonly filePollIntervalMs?: number;
}

export interface AuthStage {
  /** The server chain's auth slot. */
  readonly hook: ServerAuthHook;
  /** Stops watching key files. */
  close(): void;
}

/**
 * The server chain's auth stage for the hosted services, or undefined when
 * none has [auth] (then the chain has no auth stage at all, and calls pay
 * nothing). Key files are read now: a missing or broken one throws, naming it.
 */
export function createAuthStage(hosted: readonly HostedForAuth[], options: AuthStageOptions): AuthStage | undefined {
  if (!hosted.some(({ config }) => config.auth !== null)) return undefined;
  const authenticators = new Map<string, CallerAuthenticator>();
  try {
    for (const { config } of hosted) {
      const key = authenticatorKeyOf(config);
      if (config.auth !== null && !authenticators.has(key)) authenticators.set(key, new CallerAuthenticator(config.auth, options.logger, options.filePollIntervalMs));
    }
  } catch (error) {
    for (const authenticator of authenticators.values()) authenticator.close();
    throw error;
  }
  const { byPath, fallback } = methodAccessTable(hosted);
  // One structured line per refused call, marked for audit pipelines to pick out.
  const audit = options.logger.child({ audit: true });
  const record = options.recordRefusal ?? ((service, method, code, reason) => tuskMetrics().authRefused(service, method, code, reason));

  const refuse = (call: ServerCallInfo, code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED', reason: AuthRefusalReason, principal: Principal | undefined, error: TuskError): never => {
    record(call.service, call.method, code, reason);
    audit.warn(
      { service: call.service, method: call.method, request_id: call.requestId, peer: call.peer, code, reason, ...(principal ? { subject: principal.subject, credential: principal.kind } : {}) },
      'call refused',
    );
    throw error;
  };

  const decide = (call: ServerCallInfo, access: Extract<MethodAccess, { open: false }>, principal: Principal): Principal => {
    const missing = missingScopes(access.scopes, principal.scopes);
    if (missing.length > 0) refuse(call, 'PERMISSION_DENIED', 'missing_scope', principal, permissionDenied(call.method, missing));
    return principal;
  };

  const failed = (call: ServerCallInfo, error: unknown): never => {
    if (error instanceof AuthFailure) refuse(call, 'UNAUTHENTICATED', error.reason, undefined, unauthenticated(error.reason));
    if (error instanceof TuskError) throw error;
    // A bug, not the caller's fault: INTERNAL, and nothing of the credentials in the message.
    throw new TuskError(Code.INTERNAL, 'authentication failed unexpectedly', undefined);
  };

  const hook: ServerAuthHook = (call) => {
    const access = byPath.get(call.path) ?? fallback;
    if (access.open) return undefined;
    const authenticator = authenticators.get(access.authenticatorKey)!;
    let established: Principal | Promise<Principal>;
    try {
      established = authenticator.authenticate(call);
    } catch (error) {
      return failed(call, error);
    }
    if (!(established instanceof Promise)) return decide(call, access, established);
    return established.then((principal) => decide(call, access, principal), (error: unknown) => failed(call, error));
  };

  return {
    hook,
    close: () => {
      for (const authenticator of authenticators.values()) authenticator.close();
    },
  };
}
