// The example user and order services on two real TuskServers over loopback
// (orders call users through the generated client): the two hops a foreign
// client and the error-leak tests go through.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { OrderService } from '../../../examples/order-service/order-service.js';
import { UserService } from '../../../examples/user-service/user-service.js';
import { UserStore } from '../../../examples/user-service/user-store.js';
import { createOrderServiceClient, type OrderServiceClient } from '../../../gen/order/v1/order.tusk.js';
import { createUserServiceClient, type UserServiceClient } from '../../../gen/user/v1/user.tusk.js';
import { closeClient } from '../../../src/client/create-client.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';

export interface ShopServers {
  readonly userAddress: string;
  readonly orderAddress: string;
  /** Clients of this process, pointed straight at the servers. */
  readonly users: UserServiceClient;
  readonly orders: OrderServiceClient;
  /** Stops the user server: the order service's downstream calls then fail in its transport. */
  stopUsers(): Promise<void>;
  close(): Promise<void>;
}

async function startServer(service: UserService | OrderService): Promise<{ server: TuskServer; address: string }> {
  const server = new TuskServer({ host: '127.0.0.1', port: 0, registry: new StaticRegistry([]), handleSignals: false, logger: pino({ level: 'silent' }) });
  server.add(service);
  await server.start();
  return { server, address: `127.0.0.1:${server.port}` };
}

export async function startShopServers(): Promise<ShopServers> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tusk-interop-users-'));
  const user = await startServer(new UserService(new UserStore(dataDir)));
  const downstream = createUserServiceClient({ endpoints: [user.address] });
  const order = await startServer(new OrderService(downstream, 50));
  const users = createUserServiceClient({ endpoints: [user.address] });
  const orders = createOrderServiceClient({ endpoints: [order.address] });
  return {
    userAddress: user.address,
    orderAddress: order.address,
    users,
    orders,
    stopUsers: () => user.server.stop(),
    close: async () => {
      await Promise.all([users, orders, downstream].map((client) => closeClient(client)));
      await Promise.all([order.server.stop(), user.server.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
