// The one NATS connection policy (the event broker's, the saga stores'): fail
// fast with UNAVAILABLE when no server answers the first connect; once
// connected, never give up, so publishes, consumers and stores wait out a broker restart.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Code } from '../status/codes.js';
import { messageOf, TuskError } from '../status/tusk-error.js';
import { redactServers } from './options-check.js';

export interface NatsConnectOptions {
  readonly servers: readonly string[];
  /** The connection's name on the server (the service). */
  readonly name: string;
  readonly connectTimeoutMs?: number;
}

export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  try {
    return await connect({
      servers: [...options.servers], name: options.name, timeout: options.connectTimeoutMs ?? 5_000, maxReconnectAttempts: -1, reconnectTimeWait: 250,
      // Otherwise every request (each publish, each store call) builds two Error objects up front, only to give a
      // timeout the caller's stack: about a third of the publish CPU in bench/events-bench.ts. Our errors say what failed.
      noAsyncTraces: true,
    });
  } catch (error) {
    throw new TuskError(Code.UNAVAILABLE, `cannot connect to NATS at ${redactServers(options.servers)}: ${messageOf(error)}`);
  }
}
