// The example shop on a private real etcd: user and order services as real
// processes (examples/shared/service-process.ts), and this process's clients
// pointed at the same etcd through the contract variables.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceProcess, type ExampleService, type ServiceProcess } from '../../examples/shared/service-process.js';
import { startEtcd, type EtcdServer } from '../helpers/etcd.js';

export interface Shop {
  readonly etcd: EtcdServer;
  /** Every process started so far, in start order (killed ones included). */
  readonly processes: ServiceProcess[];
  start(service: ExampleService, name: string): Promise<ServiceProcess>;
  close(): Promise<void>;
}

/** `extraEnv` reaches every process; `envOf` adds one service's own (its certificate, its [auth]). */
export async function startShop(
  userNames: readonly string[],
  extraEnv: Record<string, string> = {},
  envOf: Partial<Record<ExampleService, Record<string, string>>> = {},
): Promise<Shop> {
  const workDir = await mkdtemp(join(tmpdir(), 'tusk-e2e-shop-'));
  const etcd = await startEtcd();
  const discoveryEnv = { TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: etcd.endpoint };
  // Each test file runs in its own process: its clients find the services through the same etcd.
  Object.assign(process.env, discoveryEnv);
  const env = { ...discoveryEnv, USER_DATA_DIR: join(workDir, 'users'), ORDER_STATUS_STEP_MS: '100', ...extraEnv };
  const processes: ServiceProcess[] = [];
  const start = async (service: ExampleService, name: string) => {
    const started = await startServiceProcess({ service, name, env: { ...env, ...envOf[service] } });
    processes.push(started);
    return started;
  };
  const close = async () => {
    await Promise.allSettled(processes.map((instance) => instance.stop(15_000)));
    await etcd.destroy();
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    await Promise.all(userNames.map((name) => start('user', name)));
    await start('order', 'order-1');
  } catch (error) {
    await close();
    throw error;
  }
  return { etcd, processes, start, close };
}

/** The TuskError code name of a rejected call, for assert.rejects. */
export const withCode = (codeName: string) => (error: unknown) => (error as { codeName?: string }).codeName === codeName;
