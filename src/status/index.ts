export { Code, codeName, codeFromName, type CodeName } from './codes.js';
export { TuskError, isTuskError } from './tusk-error.js';
export { OneLineError, isOneLineError, installOneLineFatal } from './fatal.js';
