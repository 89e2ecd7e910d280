import { TS_PROTO_OPTIONS, TUSK_PLUGIN_OPTIONS } from './toolchain.js';

/** What `tusk-grpc init acme.inventory.v1.InventoryService` derives from its argument. */
export interface ServiceNames {
  /** "acme.inventory.v1" */
  readonly protoPackage: string;
  /** "InventoryService" */
  readonly service: string;
  /** "acme/inventory/v1/inventory.proto", relative to the module root. */
  readonly protoPath: string;
  /** "GetInventory": the sample RPC. */
  readonly rpc: string;
  /** "getInventory" */
  readonly rpcLocal: string;
  /** "inventory-service" */
  readonly kebab: string;
}

export function protoTemplate(names: ServiceNames): string {
  return `syntax = "proto3";

package ${names.protoPackage};

// ${names.service}: replace the sample RPC with your own.
service ${names.service} {
  // ${names.rpc} returns one item by id.
  rpc ${names.rpc}(${names.rpc}Request) returns (${names.rpc}Response);
}

// ${names.rpc}Request names the item.
message ${names.rpc}Request {
  string id = 1;
}

// ${names.rpc}Response returns the item.
message ${names.rpc}Response {
  string id = 1;
  string name = 2;
}
`;
}

export function tskTemplate(names: ServiceNames): string {
  return `# Service descriptor for ${names.protoPackage}.${names.service} (keys: the README's descriptor reference).
[service]
name: "${names.protoPackage}.${names.service}"
version: "0.1.0"
port: @env("PORT", 0)                        # 0 = any free port

[discovery]
provider: @env("TUSK_DISCOVERY", "local")    # etcd | local | static

[client]
balancer: "round_robin"
timeout: "2s"

[methods]
${names.rpc} { idempotent: true, timeout: "500ms" }
`;
}

export const BUF_YAML = `version: v2
modules:
  - path: proto
lint:
  use:
    - STANDARD
`;

const yamlList = (items: readonly string[]): string => items.map((item) => `\n      - ${item}`).join('');

/**
 * The user's buf.gen.yaml: the same plugins and options as `tusk-grpc
 * generate` (built from the same constants, so they cannot drift), with the
 * plugins found in node_modules/.bin, where `npm install tusk-grpc` puts them.
 */
export const BUF_GEN_YAML = `# Code generation: proto/ -> gen/.
#
# \`npx tusk-grpc generate\` is the recommended entry: it does the same as
# \`buf generate\` with this file, and adds atomic output (gen/ is replaced only
# when every step succeeded), progress and file:line:col errors for protos and
# .tsk descriptors. \`npx buf generate\` works too: protoc-gen-tusk then finds
# and validates each proto's .tsk itself, under the module root module=proto.
version: v2
clean: true
plugins:
  - local: node_modules/.bin/protoc-gen-ts_proto
    out: gen
    strategy: all
    opt:${yamlList(TS_PROTO_OPTIONS)}
  - local: node_modules/.bin/protoc-gen-tusk
    out: gen
    strategy: all
    opt:${yamlList([...TUSK_PLUGIN_OPTIONS, 'module=proto'])}
`;

export const TSCONFIG_JSON = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      isolatedModules: true,
      rootDir: '.',
      outDir: 'dist',
    },
    include: ['src', 'gen'],
  },
  null,
  2,
)}\n`;

export function serviceClassTemplate(names: ServiceNames): string {
  const generated = `../gen/${names.protoPath.replace(/\.proto$/, '')}`;
  return `import type { CallContext } from 'tusk-grpc';
import type { ${names.rpc}Request, ${names.rpc}Response } from '${generated}.js';
import { ${names.service}Base } from '${generated}.tusk.js';

/** Your implementation of ${names.protoPackage}.${names.service}: hand \`new ${names.service}()\` to a TuskServer. */
export class ${names.service} extends ${names.service}Base {
  async ${names.rpcLocal}(request: ${names.rpc}Request, ctx: CallContext): Promise<${names.rpc}Response> {
    ctx.signal.throwIfAborted();
    return { id: request.id, name: \`item \${request.id}\` };
  }
}
`;
}

/** The entry point `npm start` runs: one TuskServer hosting the service. */
export function mainTemplate(names: ServiceNames): string {
  return `import { TuskServer } from 'tusk-grpc';
import { ${names.service} } from './${names.kebab}.js';

// Binds [service] port (PORT), registers in [discovery] (TUSK_DISCOVERY), serves health and
// reflection; SIGTERM / SIGINT deregister, drain the calls in flight and exit 0.
const server = new TuskServer();
server.add(new ${names.service}());
await server.start();
`;
}
