import { clone, create, toBinary, type DescFile } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

/**
 * Base64 of a FileDescriptorSet holding `file` and everything it imports,
 * dependencies first (the order reflection clients resolve them in).
 * Source info (comments, spans) is dropped: reflection does not need it.
 */
export function fileDescriptorSetBase64(file: DescFile): string {
  const ordered: DescFile[] = [];
  const seen = new Set<string>();
  const visit = (current: DescFile): void => {
    if (seen.has(current.proto.name)) return;
    seen.add(current.proto.name);
    for (const dependency of current.dependencies) visit(dependency);
    ordered.push(current);
  };
  visit(file);
  const set = create(FileDescriptorSetSchema, {
    file: ordered.map((descFile) => {
      const proto = clone(FileDescriptorProtoSchema, descFile.proto);
      proto.sourceCodeInfo = undefined;
      return proto;
    }),
  });
  return Buffer.from(toBinary(FileDescriptorSetSchema, set)).toString('base64');
}
