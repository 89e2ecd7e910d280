import { readFile } from 'node:fs/promises';
import { createFileRegistry, fromBinary, type DescFile, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { MethodKind } from '../src/config/service-definition.js';

/** The services one proto file declares, as the descriptor validator needs them. */
export interface ProtoServices {
  /** Import path, e.g. "user/v1/user.proto". */
  readonly file: string;
  readonly services: readonly {
    /** Full name, e.g. "user.v1.UserService". */
    readonly name: string;
    readonly methods: readonly { readonly name: string; readonly kind: MethodKind }[];
  }[];
  /** Full names of its messages, nested ones included: what [events] and [subscriptions] may name. */
  readonly messages: readonly string[];
}

/** The messages and, depth first, every message nested in them. */
export function withNested(messages: readonly DescMessage[]): DescMessage[] {
  return messages.flatMap((message) => [message, ...withNested(message.nestedMessages)]);
}

/**
 * Reads a buf image. Its wire format is a superset of FileDescriptorSet (buf
 * adds extension fields the decoder keeps as unknown), so the standard
 * decoder and registry give us resolved services and method kinds.
 */
export async function readImageServices(imagePath: string): Promise<ProtoServices[]> {
  const set = fromBinary(FileDescriptorSetSchema, await readFile(imagePath));
  const registry = createFileRegistry(set);
  const files = [...registry.files].map(protoServicesOf);
  return files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** The services of one resolved file (from an image here, from a plugin request in protoc-gen-tusk). */
export function protoServicesOf(file: DescFile): ProtoServices {
  return {
    file: file.proto.name,
    services: file.services.map((service) => ({
      name: service.typeName,
      methods: service.methods.map((method) => ({ name: method.name, kind: method.methodKind })),
    })),
    messages: withNested(file.messages).map((message) => message.typeName),
  };
}
