import { readFileSync } from 'node:fs';
import { createFileRegistry, fromBinary, type DescFile } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { ProtoSource } from './buf.js';
import { GeneratorError } from './errors.js';
import { HttpRuleError, openApiText } from './openapi-output.js';

/**
 * Reads the workspace's google.api.http rules as the gateway (and
 * protoc-gen-tusk's openapi.json) will, before any code is generated: an
 * error names the proto file as it is on disk rather than buf's plugin failure.
 */
export function checkHttpRules(imagePath: string, sources: readonly ProtoSource[], displayPath: (path: string) => string): void {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(imagePath)));
  const files = sources.map((source) => registry.getFile(source.importPath)).filter((file): file is DescFile => file !== undefined);
  try {
    openApiText(files);
  } catch (error) {
    if (!(error instanceof HttpRuleError)) throw error;
    const source = sources.find((candidate) => candidate.importPath === error.importPath);
    throw GeneratorError.atFile(source === undefined ? error.importPath : displayPath(source.diskPath), error.message);
  }
}
