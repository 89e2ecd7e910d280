// Method descriptors for tests of configuration logic, where no call is ever encoded.
import type { MethodDescriptor } from '../../src/config/index.js';

const noCodec = (): never => { throw new Error('not used'); };

/** Unary methods of `service` by proto name, keyed by localName as generated code keys them. */
export function stubMethods(service: string, names: readonly string[]): Record<string, MethodDescriptor> {
  return Object.fromEntries(names.map((name) => {
    const localName = name[0]!.toLowerCase() + name.slice(1);
    const method: MethodDescriptor = {
      name, localName, path: `/${service}/${name}`, kind: 'unary',
      serializeRequest: noCodec, deserializeRequest: noCodec, serializeResponse: noCodec, deserializeResponse: noCodec,
    };
    return [localName, method];
  }));
}
