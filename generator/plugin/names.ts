import type { DescMessage, DescMethod } from '@bufbuild/protobuf';

/**
 * Naming rules of ts-proto (v2, default options), which generates the
 * message code the .tusk.ts files import: each nesting level is camel-cased
 * when it contains '_', levels are joined with '_' (`Outer_Inner`), and the
 * names `Date` and `Function` get a `Message` suffix.
 */
export function tsProtoTypeName(message: DescMessage): string {
  const levels: string[] = [];
  for (let current: DescMessage | undefined = message; current; current = current.parent) {
    levels.unshift(tsProtoSnakeToCamel(current.name));
  }
  const name = levels.join('_');
  return name === 'Date' || name === 'Function' ? `${name}Message` : name;
}

function tsProtoSnakeToCamel(name: string): string {
  if (!name.includes('_')) return name;
  const hasLowerCase = /[a-z]/.test(name);
  return name
    .split('_')
    .map((word, index) => {
      const cased = hasLowerCase ? word : word.toLowerCase();
      return index === 0 ? cased : cased.charAt(0).toUpperCase() + cased.slice(1);
    })
    .join('');
}

/** ts-proto's module for a proto file, as a root-relative import path: `./user/v1/user.js`. */
export function tsProtoModule(protoFileName: string): string {
  return `./${protoFileName.replace(/\.proto$/, '')}.js`;
}

/**
 * Names a generated base or client must not use for an RPC method: members
 * every instance already has (ServiceBase's `descriptor`, `onStart` and `clientOf`), and
 * `then`, which would make a client look like a promise to `await`.
 */
const RESERVED_METHOD_NAMES = new Set([
  'constructor',
  'descriptor',
  'onStart',
  'clientOf',
  'then',
  '__proto__',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
]);

/** The RPC's name on the base class and client: lowerCamelCase, `$`-suffixed when reserved. */
export function methodLocalName(method: DescMethod): string {
  const camel = tsProtoSnakeToCamel(method.name);
  const lower = camel.charAt(0).toLowerCase() + camel.slice(1);
  return RESERVED_METHOD_NAMES.has(lower) ? `${lower}$` : lower;
}
