// The generator's public API: what the `tusk-grpc` CLI runs, usable from scripts too.
export { runGenerate, runCheck, type GenerateOptions, type CheckOptions, type GenerateSummary, type CheckSummary } from './pipeline.js';
export { TS_PROTO_OPTIONS, TUSK_PLUGIN_OPTIONS } from './toolchain.js';
export { runInit, serviceNames, type InitOptions, type InitResult } from './init.js';
export { GeneratorError, formatLocatedIssue, type LocatedIssue } from './errors.js';
export { createReporter, type Reporter } from './reporter.js';
export { tuskPlugin, GENERATED_HEADER } from './plugin/tusk-plugin.js';
export { runDeploy, type DeployOptions, type DeploySummary } from './deploy/index.js';
