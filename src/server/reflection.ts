import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { service as healthService } from 'grpc-health-check';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { ServiceDescriptor } from '../config/service-definition.js';
import type { ServerTransport } from './transport/index.js';

type ReflectionPackage = ConstructorParameters<typeof ReflectionService>[0];

const HEALTH_SERVICE = 'grpc.health.v1.Health';

/**
 * Serves grpc.reflection v1 and v1alpha for the given services, built from
 * each descriptor's FileDescriptorSet. @grpc/reflection reads only the
 * `fileDescriptorProtos` of a proto-loader package definition, so the files
 * go in as they are (no round trip through protobufjs that would merge files
 * of one package). Services without a descriptor set are left out. The
 * health service is always in, so reflection-driven tools can call
 * grpc.health.v1.Health/Check. Returns the names it serves.
 */
export function addReflection(server: Pick<ServerTransport, 'addService'>, descriptors: readonly ServiceDescriptor[]): string[] {
  const files = new Map<string, Uint8Array>();
  const services: string[] = [HEALTH_SERVICE];
  // grpc-health-check loads its health.proto with proto-loader, which keeps the file's descriptor bytes.
  for (const bytes of healthService.Check!.requestType.fileDescriptorProtos) {
    files.set(fromBinary(FileDescriptorProtoSchema, bytes).name, bytes);
  }
  for (const descriptor of descriptors) {
    if (!descriptor.fileDescriptorSet) continue;
    const set = fromBinary(FileDescriptorSetSchema, Buffer.from(descriptor.fileDescriptorSet, 'base64'));
    for (const file of set.file) {
      if (!files.has(file.name)) files.set(file.name, toBinary(FileDescriptorProtoSchema, file));
    }
    services.push(descriptor.name);
  }
  const pkg = {
    'tusk.reflection.files': {
      format: 'Protocol Buffer 3 DescriptorProto',
      type: {},
      fileDescriptorProtos: [...files.values()].map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    },
  } as unknown as ReflectionPackage;
  // @grpc/reflection only calls addService(), which both transports have.
  new ReflectionService(pkg, { services }).addToServer(server as unknown as Server);
  return services;
}
