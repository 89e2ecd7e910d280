// `tusk-grpc deploy`: Kubernetes manifests, Istio policy and a Dockerfile per service, from the descriptors.
export { runDeploy, type DeployOptions, type DeploySummary } from './run-deploy.js';
export { DEPLOY_PACKAGES, validateManifest, type Manifest } from './validate.js';
export { terminationGraceSeconds, TLS_MOUNT } from './deployment.js';
export { HASH_KEY_HEADER } from './istio/destination-rule.js';
export { kebabName, type DeployTarget } from './target.js';
