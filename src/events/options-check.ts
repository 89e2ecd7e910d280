// Programming errors in a publish or subscribe are caught before they reach
// the broker, as INVALID_ARGUMENT with what is wrong.
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import type { EventType, SubscribeOptions } from './types.js';

export const MESSAGE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** A JetStream durable name may not hold `.`, `*`, `>`, whitespace or path separators. */
export const GROUP_NAME = /^[A-Za-z0-9_-]+$/;

function invalid(message: string): never {
  throw new TuskError(Code.INVALID_ARGUMENT, message);
}

/** The full proto name becomes a subject: no wildcards, no spaces, no empty tokens. */
export function checkEventType<T>(type: EventType<T>): void {
  if (!MESSAGE_NAME.test(type.fullName)) invalid(`event type ${JSON.stringify(type.fullName)} is not a full proto message name such as "user.v1.UserCreated"`);
}

export function checkSubscribeOptions<T>(options: SubscribeOptions<T>): void {
  checkEventType(options.type);
  if (!GROUP_NAME.test(options.group)) invalid(`consumer group ${JSON.stringify(options.group)} may only hold letters, digits, "-" and "_" (it names a JetStream durable consumer)`);
  const positiveInteger = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) invalid(`${name} ${value} is not a whole number of at least 1`);
  };
  positiveInteger('maxDeliver', options.maxDeliver);
  positiveInteger('concurrency', options.concurrency);
  if (options.ackWaitMs !== undefined && !(Number.isFinite(options.ackWaitMs) && options.ackWaitMs >= 100)) invalid(`ackWaitMs ${options.ackWaitMs} is below 100`);
  if (options.backoffMs?.some((delay) => !(Number.isFinite(delay) && delay >= 0))) invalid(`backoffMs [${options.backoffMs.join(', ')}] holds a delay that is not 0 or more`);
  if (typeof options.handler !== 'function') invalid('handler is not a function');
}

/** Server addresses as they may appear in messages: a `user:password@` part is hidden. */
export function redactServers(servers: readonly string[]): string {
  return servers.map((server) => server.replace(/\/\/[^@/]*@/, '//<hidden>@').replace(/^[^/@]*@/, '<hidden>@')).join(', ');
}

/** One group handles one event type: its durable consumer filters one subject (nats-server 2.9 has no multi-subject consumers). */
export function groupConflict(group: string, existingSubject: string, wantedSubject: string): TuskError {
  return new TuskError(Code.FAILED_PRECONDITION, `consumer group ${group} already consumes ${existingSubject}; one group handles one event type (use another group name for ${wantedSubject})`);
}
