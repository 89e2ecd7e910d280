// Where the demo's services find each other: a private local-registry folder
// (the default), or etcd when TUSK_DISCOVERY=etcd — the cluster in
// TUSK_ETCD_ENDPOINTS, else a private etcd started from PATH.
import { startEtcd } from '../shared/private-etcd.js';
import { chooseBacking, type DemoBacking } from './backing.js';

export function setUpDiscovery(registryDir: string): Promise<DemoBacking> {
  return chooseBacking({
    selector: 'TUSK_DISCOVERY',
    local: { env: { TUSK_DISCOVERY: 'local', TUSK_REGISTRY_DIR: registryDir }, description: `local registry folder ${registryDir}` },
    engine: 'etcd',
    engineLabel: 'etcd',
    endpointsVariable: 'TUSK_ETCD_ENDPOINTS',
    binary: { name: 'etcd' },
    start: (binary) => startEtcd({ binary }),
  });
}
