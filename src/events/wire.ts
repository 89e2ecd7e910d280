// The wire contract on NATS (issue 14): other languages publish and consume
// with exactly these names, so they live in one place.

/** JetStream's de-duplication header: the event id. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';
/** The full proto message name of the payload. */
export const EVENT_TYPE_HEADER = 'tusk-event-type';
/** The publishing service. */
export const SOURCE_HEADER = 'tusk-source';
/** Dead letters: why the last attempt failed, and how many deliveries there were. */
export const ERROR_HEADER = 'tusk-error';
export const DELIVERIES_HEADER = 'tusk-deliveries';

export const DEFAULT_PREFIX = 'events';
export const DEFAULT_STREAM = 'TUSK_EVENTS';
const DLQ_TOKEN = 'dlq';

/** `<prefix>.<full message name>`, e.g. `events.user.v1.UserCreated`. */
export function eventSubject(prefix: string, fullName: string): string {
  return `${prefix}.${fullName}`;
}

/** `<prefix>.dlq.<full message name>`. */
export function deadLetterSubject(prefix: string, fullName: string): string {
  return `${prefix}.${DLQ_TOKEN}.${fullName}`;
}

/** The stream's subjects: everything under the prefix (dead letters included). */
export function streamSubjects(prefix: string): string {
  return `${prefix}.>`;
}

/** The message name a subject carries, for a foreign publisher that left out `tusk-event-type`. */
export function typeFromSubject(prefix: string, subject: string): string {
  return subject.startsWith(`${prefix}.`) ? subject.slice(prefix.length + 1) : subject;
}

/** Bounds a header value (an error message can be long) so a dead letter stays small. */
export function headerSafe(text: string, maxChars = 1000): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars - 1)}…` : oneLine;
}
