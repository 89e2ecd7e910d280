export { Code, codeName, codeFromName, type CodeName } from './codes.js';
export { TuskError, isTuskError, asTuskError, messageOf } from './tusk-error.js';
export type {
  ErrorDetails, FieldViolation, ErrorInfo, RetryInfo, ResourceInfo, PreconditionViolation, QuotaViolation, HelpLink, LocalizedMessage, DebugInfo,
  RequestInfo, OtherDetail,
} from './error-details.js';
export { STATUS_DETAILS_TRAILER } from './status-details.js';
export { OneLineError, isOneLineError, installOneLineFatal } from './fatal.js';
