import { GatewayDefinitionError, type GatewayMethod, type GatewayService, type HttpBinding } from './http-rules.js';
import { compareSpecificity, matchPathTemplate, type PathBindings } from './path-template.js';

export interface RestRoute {
  readonly method: GatewayMethod;
  readonly binding: HttpBinding;
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: RestRoute; readonly bindings: PathBindings }
  /** The path exists for other HTTP methods: 405 with an Allow header. */
  | { readonly kind: 'wrong-method'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

/**
 * The REST routes of every service, most specific template first within each
 * HTTP method. Matching is a scan: a gateway has tens of routes, and a match
 * is a split and a few string compares each.
 */
/** A template with its variable names left out: "/v1/{sku}" and "/v1/{id}" match the same paths. */
function routeShape(binding: HttpBinding): string {
  const segments = binding.template.segments.map((segment) => (segment.kind === 'literal' ? segment.value : segment.kind === 'one' ? '*' : '**'));
  return `/${segments.join('/')}${binding.template.verb === undefined ? '' : `:${binding.template.verb}`}`;
}

export class RestRouter {
  private readonly byMethod = new Map<string, RestRoute[]>();

  constructor(services: readonly GatewayService[]) {
    const owners = new Map<string, string>();
    for (const service of services) {
      for (const method of service.methods) {
        for (const binding of method.bindings) {
          // Two rules matching exactly the same requests: one would never be reached, so neither is guessed.
          const shape = `${binding.httpMethod} ${routeShape(binding)}`;
          const owner = `${service.descriptor.name}.${method.runtime.name}`;
          const previous = owners.get(shape);
          if (previous !== undefined) throw new GatewayDefinitionError(`${owner}: google.api.http ${binding.httpMethod.toLowerCase()} "${binding.template.source}" matches the same requests as a rule of ${previous}`);
          owners.set(shape, owner);
          const routes = this.byMethod.get(binding.httpMethod) ?? [];
          routes.push({ method, binding });
          this.byMethod.set(binding.httpMethod, routes);
        }
      }
    }
    for (const routes of this.byMethod.values()) routes.sort((a, b) => compareSpecificity(a.binding.template, b.binding.template));
  }

  get size(): number {
    let count = 0;
    for (const routes of this.byMethod.values()) count += routes.length;
    return count;
  }

  match(httpMethod: string, path: string): RouteMatch {
    const found = this.find(httpMethod === 'HEAD' ? 'GET' : httpMethod, path);
    if (found !== undefined) return { kind: 'found', ...found };
    const allowed = [...this.byMethod.keys()].filter((other) => other !== httpMethod && this.find(other, path) !== undefined).sort();
    return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'not-found' };
  }

  private find(httpMethod: string, path: string): { route: RestRoute; bindings: PathBindings } | undefined {
    for (const route of this.byMethod.get(httpMethod) ?? []) {
      const bindings = matchPathTemplate(route.binding.template, path);
      if (bindings !== undefined) return { route, bindings };
    }
    return undefined;
  }
}

/**
 * Every method of every service by its gRPC path, `/pkg.Service/Method`:
 * where Connect, gRPC-Web and Connect streaming calls go, annotated or not.
 */
export class RpcPathRouter {
  private readonly byPath = new Map<string, GatewayMethod>();

  constructor(services: readonly GatewayService[]) {
    for (const service of services) for (const method of service.methods) this.byPath.set(method.runtime.path, method);
  }

  lookup(path: string): GatewayMethod | undefined {
    return this.byPath.get(path);
  }
}
