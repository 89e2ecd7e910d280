export type { SourcePos, TskValue, TskString, TskNumber, TskBoolean, TskNull, TskArray, TskObject, TskEntry, TskEnvRef, TskDocument } from './types.js';
export { TskSyntaxError } from './errors.js';
export { parseTsk, MAX_DEPTH as TSK_MAX_DEPTH, MAX_VALUES as TSK_MAX_VALUES } from './parser.js';
export { toRawValue, toRawDocument, isRawEnvRef, ROOT_SECTION_KEY } from './raw.js';
export { printTsk } from './printer.js';
