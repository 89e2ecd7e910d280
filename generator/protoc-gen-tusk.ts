#!/usr/bin/env node
// protoc-gen-tusk: a protoc/buf plugin that writes <file>.tusk.ts (bases, clients, descriptors) per proto file with services.
// Options: descriptors=<json> (from `tusk-grpc generate`), or standalone under plain `buf generate`:
// module=<buf module folder> (default: buf.yaml's module paths), where it finds and validates each .tsk itself.
import { runNodeJs } from '@bufbuild/protoplugin';
import { tuskPlugin } from './plugin/tusk-plugin.js';

runNodeJs(tuskPlugin);
