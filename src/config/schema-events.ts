import { defaultLocalEventsDir } from '../events/local-store.js';
import { MESSAGE_NAME } from '../events/options-check.js';
import { DEFAULT_PREFIX, DEFAULT_STREAM } from '../events/wire.js';
import type { BlockSpec, LeafSpec } from './schema-types.js';

export const EVENT_BROKERS = ['nats', 'local'] as const;

/** A key naming a proto message; generation checks it exists (validate-events.ts). */
export const messageNameLeaf = (extra: Partial<LeafSpec> & Pick<LeafSpec, 'meaning' | 'example'>): LeafSpec => ({
  kind: 'leaf',
  type: { kind: 'string', nonEmpty: true },
  check: (value) => (MESSAGE_NAME.test(value as string) ? undefined : 'is not a full proto message name such as "user.v1.UserCreated"'),
  ...extra,
});

/**
 * `[events]`: the broker behind durable events (src/events/). `broker` and
 * `servers` are contract (issue 14), with the overrides TUSK_EVENTS and
 * TUSK_NATS_SERVERS; the stream keys apply when the stream is created.
 */
export const EVENTS_SECTION: BlockSpec = {
  kind: 'block',
  meaning: 'durable publish/subscribe of proto messages (NATS JetStream, or a local folder for development)',
  keys: {
    broker: { kind: 'leaf', type: { kind: 'enum', values: EVENT_BROKERS }, default: 'local', example: '"nats"', meaning: 'nats (JetStream) or local (a folder on one machine, development only) (env TUSK_EVENTS)' },
    servers: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, default: '127.0.0.1:4222',
      example: '["10.0.0.5:4222", "10.0.0.6:4222"]', meaning: 'nats: host:port list of the NATS servers (env TUSK_NATS_SERVERS)',
    },
    prefix: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: DEFAULT_PREFIX,
      check: (value) => (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(value as string) ? undefined : 'is not a NATS subject prefix (tokens of letters, digits, "-" and "_" joined by ".")'),
      example: '"prod.events"', meaning: 'subjects are `<prefix>.<full message name>`, dead letters `<prefix>.dlq.<full message name>`',
    },
    stream: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: DEFAULT_STREAM,
      check: (value) => (/^[A-Za-z0-9_-]+$/.test(value as string) ? undefined : 'is not a JetStream stream name (letters, digits, "-" and "_")'),
      example: '"ORDERS_EVENTS"', meaning: 'the JetStream stream, created with subjects `<prefix>.>` and file storage when missing',
    },
    retention: { kind: 'leaf', type: { kind: 'enum', values: ['limits', 'interest'] }, default: 'limits', example: '"interest"', meaning: 'stream retention when created: limits (kept until max_age) or interest (until every group acked)' },
    max_age: { kind: 'leaf', type: { kind: 'duration', minMs: 1000 }, nullable: true, default: null, example: '"168h"', meaning: 'stream: drop events older than this; null = never' },
    replicas: { kind: 'leaf', type: { kind: 'number', integer: true, min: 1, max: 5 }, default: 1, example: '3', meaning: 'stream: copies kept in a NATS cluster' },
    duplicate_window: { kind: 'leaf', type: { kind: 'duration', minMs: 1000 }, default: '2m', example: '"10m"', meaning: 'stream: a publish repeating an event id within this is dropped as a duplicate' },
    publishes: messageNameLeaf({
      list: true, default: [], example: '["user.v1.UserCreated"]',
      meaning: 'full names of the proto messages this service publishes: each gets a typed `publish<Message>(event, options?)` on the generated base',
    }),
    dir: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: () => defaultLocalEventsDir(),
      defaultText: '`tusk-grpc-events-<uid>` in the OS temp folder', example: '"/var/tmp/tusk-events"', meaning: 'local: the shared events folder (env TUSK_EVENTS_DIR)',
    },
  },
};
