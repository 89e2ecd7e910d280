// Durable events (issue 14, runtime core): publish/subscribe of proto messages
// on NATS JetStream, or on a local folder for development.
export type { EventBroker, EventContext, EventHandler, EventType, PublishOptions, PublishReceipt, SubscribeOptions, Subscription, EventStreamSettings } from './types.js';
export { createEventBroker, eventType, type CreateEventBrokerOptions } from './create-broker.js';
export { defaultLocalEventsDir, UnsafeEventsFolderError } from './local-store.js';
export { DEFAULT_ACK_WAIT_MS, DEFAULT_BACKOFF_MS, DEFAULT_CONCURRENCY, DEFAULT_MAX_DELIVER } from './delivery.js';
export { DEFAULT_PUBLISH_TIMEOUT_MS } from './publish-retry.js';
export {
  DEFAULT_PREFIX, DEFAULT_STREAM, DELIVERIES_HEADER, ERROR_HEADER, EVENT_TYPE_HEADER, MSG_ID_HEADER, SOURCE_HEADER,
  deadLetterSubject, eventSubject, streamSubjects,
} from './wire.js';
