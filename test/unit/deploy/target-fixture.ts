// A DeployTarget built in memory from a raw descriptor, for unit tests of the
// manifest builders (pure functions of it).
import { resolveDescriptor, type DeploySection, type RawDescriptor } from '../../../src/config/index.js';
import { resolveValue } from '../../../src/config/resolve-value.js';
import { DEPLOY_SECTION } from '../../../src/config/schema-deploy.js';
import type { DeployTarget } from '../../../generator/deploy/index.js';

export const SERVICE = 'shop.v1.CartService';
const METHODS = ['GetCart', 'AddItem', 'Checkout'] as const;

/** The security keys another branch adds to the schema, left out of what this branch's resolver reads. */
function withoutSecurityKeys(raw: RawDescriptor): RawDescriptor {
  const { auth: _auth, methods, ...rest } = raw as Record<string, any>;
  if (methods === undefined) return rest as RawDescriptor;
  const plain = Object.fromEntries(Object.entries(methods as Record<string, Record<string, unknown>>).map(([name, { public: _public, scopes: _scopes, ...keys }]) => [name, keys]));
  return { ...rest, methods: plain } as RawDescriptor;
}

export function target(raw: RawDescriptor, overrides: Partial<DeployTarget> = {}): DeployTarget {
  return {
    service: SERVICE,
    descriptorFile: 'cart.tsk',
    name: 'cart-service',
    namespace: 'shop',
    image: 'cart:1',
    serviceAccount: 'cart-service',
    grpcPort: 50051,
    metricsPort: null,
    httpPort: null,
    env: [],
    drainMs: 1000,
    config: resolveDescriptor(withoutSecurityKeys(raw), 'cart.tsk', SERVICE, {}),
    deploy: resolveValue(DEPLOY_SECTION, raw.deploy, { section: 'deploy', path: [] }, { source: 'cart.tsk', env: {} }, false) as DeploySection,
    discovery: 'static',
    methods: METHODS.map((name) => ({ name, kind: 'unary' as const, path: `/${SERVICE}/${name}` })),
    rawMethods: (raw.methods ?? {}) as DeployTarget['rawMethods'],
    raw,
    issueAt: (_keys, message) => ({ file: 'cart.tsk', message }),
    ...overrides,
  };
}

