// The credentials stage of one client, from its options and the caller's [dependencies] entry.
import { callerDescriptor, findDependency } from '../../config/client-policy.js';
import type { ServiceDescriptor } from '../../config/service-definition.js';
import type { DependencyPolicy } from '../../config/types.js';
import type { ClientOptions } from '../client-options.js';
import { CallCredentials } from './call-credentials.js';
import type { ClientCredentials, Credential } from './credential.js';

/** Undefined when this client never adds auth headers (the pipeline then skips the stage). */
export function callCredentialsFor(target: ServiceDescriptor, options: ClientOptions): CallCredentials | undefined {
  const dependency = options.caller === undefined ? undefined : findDependency(callerDescriptor(options.caller), target.name);
  const credentials = options.credentials ?? fromEnvironment(dependency);
  const forwardAuth = options.forwardAuth ?? dependency?.forwardAuth ?? false;
  if (!CallCredentials.needed({ credentials, forwardAuth })) return undefined;
  const allowInsecure = options.allowInsecureCredentials ?? dependency?.allowInsecureCredentials ?? false;
  return new CallCredentials({ credentials, forwardAuth, allowInsecure });
}

/** `credentials { bearer_env | api_key_env }`: the variable is read at each call, so its value is never kept or logged. */
function fromEnvironment(dependency: DependencyPolicy | undefined): ClientCredentials | undefined {
  const names = dependency?.credentials;
  if (names?.bearerEnv !== undefined) return () => ({ bearer: envValue(names.bearerEnv!, dependency!.alias) }) satisfies Credential;
  if (names?.apiKeyEnv !== undefined) return () => ({ apiKey: envValue(names.apiKeyEnv!, dependency!.alias) }) satisfies Credential;
  return undefined;
}

function envValue(name: string, alias: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} ([dependencies] ${alias}.credentials) is not set`);
  return value;
}
