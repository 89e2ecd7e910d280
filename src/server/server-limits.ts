import type { ChannelOptions } from '@grpc/grpc-js';
import type { ServerSection } from '../config/types.js';

/**
 * grpc-js applies one set of limits per server, so several hosted services
 * share the most permissive of theirs (the largest sizes and stream count,
 * the shortest ping interval); timeouts and ages come from the first service,
 * like the bind address. `maxReceiveMessageBytes` overrides the sizes.
 */
export function serverChannelOptions(sections: readonly ServerSection[], maxReceiveMessageBytes?: number): ChannelOptions {
  const first = sections[0]!;
  const largest = (pick: (section: ServerSection) => number) => Math.max(...sections.map(pick));
  const options: ChannelOptions = {
    'grpc.max_receive_message_length': maxReceiveMessageBytes ?? largest((section) => section.maxReceiveMessageBytes),
    'grpc.max_send_message_length': largest((section) => section.maxSendMessageBytes),
    'grpc.max_concurrent_streams': largest((section) => section.maxConcurrentStreams),
    'grpc.keepalive_time_ms': Math.min(...sections.map((section) => section.keepalive.timeMs)),
    'grpc.keepalive_timeout_ms': first.keepalive.timeoutMs,
    // An aged-out connection's calls get as long to finish as a shutdown gives them.
    'grpc.max_connection_age_grace_ms': first.shutdownGraceMs,
  };
  if (first.maxConnectionIdleMs !== null) options['grpc.max_connection_idle_ms'] = first.maxConnectionIdleMs;
  if (first.maxConnectionAgeMs !== null) options['grpc.max_connection_age_ms'] = first.maxConnectionAgeMs;
  return options;
}
