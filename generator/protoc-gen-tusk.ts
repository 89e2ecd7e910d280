#!/usr/bin/env node
// protoc-gen-tusk: a protoc/buf plugin that writes <file>.tusk.ts (bases, clients, descriptors) per proto file with services.
import { runNodeJs } from '@bufbuild/protoplugin';
import { tuskPlugin } from './plugin/tusk-plugin.js';

runNodeJs(tuskPlugin);
