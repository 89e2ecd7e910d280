// Where the demo's services find each other: a private local-registry folder
// (the default, nothing to install), or etcd when TUSK_DISCOVERY=etcd — the
// cluster in TUSK_ETCD_ENDPOINTS, else a private etcd started from PATH.
import { execFileSync } from 'node:child_process';
import { startEtcd } from '../shared/private-etcd.js';

export interface DemoDiscovery {
  /** Environment for every demo process (services and the demo's own clients). */
  readonly env: Readonly<Record<string, string>>;
  /** One line saying what is used. */
  readonly description: string;
  stop(): Promise<void>;
}

export async function setUpDiscovery(registryDir: string): Promise<DemoDiscovery> {
  const provider = process.env.TUSK_DISCOVERY || 'local';
  if (provider === 'local') {
    return { env: { TUSK_DISCOVERY: 'local', TUSK_REGISTRY_DIR: registryDir }, description: `local registry folder ${registryDir}`, stop: async () => {} };
  }
  if (provider !== 'etcd') throw new Error(`TUSK_DISCOVERY=${provider}: the demo runs on "local" or "etcd"`);
  const given = process.env.TUSK_ETCD_ENDPOINTS;
  if (given) return { env: { TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: given }, description: `etcd at ${given}`, stop: async () => {} };

  const binary = etcdOnPath();
  if (!binary) throw new Error('TUSK_DISCOVERY=etcd needs TUSK_ETCD_ENDPOINTS, or an etcd binary on PATH for a private one');
  // Free loopback ports and a temp data dir, removed on destroy().
  const etcd = await startEtcd({ binary });
  return {
    env: { TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: etcd.endpoint },
    description: `a private etcd (${binary}) at ${etcd.endpoint}`,
    stop: () => etcd.destroy(),
  };
}

function etcdOnPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
