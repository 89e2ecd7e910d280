// The tests' private etcd is the one the demo starts: one harness, kept in
// examples/shared so the examples never import test code.
export { freePort, startEtcd, type EtcdServer, type StartEtcdOptions } from '../../examples/shared/private-etcd.js';
