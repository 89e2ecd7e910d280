import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { ServiceDescriptor } from '../config/service-definition.js';

type ReflectionPackage = ConstructorParameters<typeof ReflectionService>[0];

/**
 * Serves grpc.reflection v1 and v1alpha for the given services, built from
 * each descriptor's FileDescriptorSet. @grpc/reflection reads only the
 * `fileDescriptorProtos` of a proto-loader package definition, so the files
 * go in as they are (no round trip through protobufjs that would merge files
 * of one package). Services without a descriptor set are left out. Returns
 * the names it serves.
 */
export function addReflection(server: Server, descriptors: readonly ServiceDescriptor[]): string[] {
  const files = new Map<string, Uint8Array>();
  const services: string[] = [];
  for (const descriptor of descriptors) {
    if (!descriptor.fileDescriptorSet) continue;
    const set = fromBinary(FileDescriptorSetSchema, Buffer.from(descriptor.fileDescriptorSet, 'base64'));
    for (const file of set.file) {
      if (!files.has(file.name)) files.set(file.name, toBinary(FileDescriptorProtoSchema, file));
    }
    services.push(descriptor.name);
  }
  if (services.length === 0) return services;
  const pkg = {
    'tusk.reflection.files': {
      format: 'Protocol Buffer 3 DescriptorProto',
      type: {},
      fileDescriptorProtos: [...files.values()].map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    },
  } as unknown as ReflectionPackage;
  new ReflectionService(pkg, { services }).addToServer(server);
  return services;
}
