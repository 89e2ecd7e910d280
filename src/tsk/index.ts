export type { SourcePos, TskValue, TskString, TskNumber, TskBoolean, TskNull, TskArray, TskObject, TskEntry, TskEnvRef, TskDocument } from './types.js';
export { TskSyntaxError } from './errors.js';
