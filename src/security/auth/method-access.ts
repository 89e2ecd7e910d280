import type { ResolvedDescriptor } from '../../config/types.js';
import type { ServiceDescriptor } from '../../config/service-definition.js';

/** Who may call one method path. */
export type MethodAccess =
  | { readonly open: true }
  | { readonly open: false; readonly scopes: readonly string[]; readonly authenticatorKey: string };

export const OPEN: MethodAccess = Object.freeze({ open: true });

const HEALTH_SERVICE = 'grpc.health.v1.Health';
const REFLECTION_SERVICES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

export interface HostedForAuth {
  readonly descriptor: ServiceDescriptor;
  readonly config: ResolvedDescriptor;
}

/** Identifies one [auth] configuration, so services configured alike share their providers. */
export const authenticatorKeyOf = (config: ResolvedDescriptor): string => JSON.stringify({ jwt: config.auth?.jwt, apiKeys: config.auth?.apiKeys, mtls: config.auth?.mtls });

/**
 * The access rule of every path a server answers. A service without [auth] is
 * open; with it, each method needs an authenticated caller holding its
 * `scopes` (or [auth] default_scopes) unless `public: true`. Health is open;
 * reflection too unless a service sets protect_reflection. Paths no hosted
 * service declares need an authenticated caller (`fallback`), so probing for
 * methods tells an anonymous caller nothing.
 */
export function methodAccessTable(hosted: readonly HostedForAuth[]): { readonly byPath: ReadonlyMap<string, MethodAccess>; readonly fallback: MethodAccess } {
  const byPath = new Map<string, MethodAccess>();
  const secured = hosted.find(({ config }) => config.auth !== null);
  for (const { descriptor, config } of hosted) {
    const auth = config.auth;
    for (const method of Object.values(descriptor.methods)) {
      const policy = config.methods[method.name];
      if (auth === null || policy?.public === true) {
        byPath.set(method.path, OPEN);
      } else {
        byPath.set(method.path, { open: false, scopes: policy?.scopes ?? auth.defaultScopes, authenticatorKey: authenticatorKeyOf(config) });
      }
    }
  }
  if (secured === undefined) return { byPath, fallback: OPEN };
  const authenticated: MethodAccess = { open: false, scopes: [], authenticatorKey: authenticatorKeyOf(secured.config) };
  const protectReflection = hosted.some(({ config }) => config.auth?.protectReflection === true);
  for (const path of ['Check', 'Watch', 'List'].map((name) => `/${HEALTH_SERVICE}/${name}`)) byPath.set(path, OPEN);
  for (const service of REFLECTION_SERVICES) byPath.set(`/${service}/ServerReflectionInfo`, protectReflection ? authenticated : OPEN);
  return { byPath, fallback: authenticated };
}
