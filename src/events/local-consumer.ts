// One group's consumer on the `local` provider: polls the subject's folder and
// takes each attempt of an event with an exclusive file create, so within a
// group one instance gets it; an attempt not settled by its deadline (ack_wait,
// or the backoff after a failure) is taken again as the next attempt.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../telemetry/logger-types.js';
import { messageOf } from '../status/tusk-error.js';
import { handleDelivery, lowerCaseHeaders, type Delivery, type DeliveryPolicy } from './delivery.js';
import { InFlight } from './in-flight.js';
import { groupConflict } from './options-check.js';
import type { LocalEventRecord, LocalEventStore } from './local-store.js';
import type { Subscription } from './types.js';
import { deadLetterSubject, DELIVERIES_HEADER, ERROR_HEADER, eventSubject, headerSafe, MSG_ID_HEADER, typeFromSubject } from './wire.js';

export interface LocalConsumerOptions<T> {
  readonly store: LocalEventStore;
  readonly prefix: string;
  readonly policy: DeliveryPolicy<T>;
  readonly concurrency: number;
  readonly pollMs: number;
  readonly logger: Logger;
  readonly onStopped: (consumer: LocalConsumer<T>) => void;
}

export class LocalConsumer<T> implements Subscription {
  readonly group: string;
  readonly type: string;
  readonly #holder = randomUUID();
  readonly #subject: string;
  /** Event files this group is done with (acked), so each poll skips them without a read. */
  readonly #done = new Set<string>();
  readonly #mine = new Set<string>();
  readonly #inFlight: InFlight;
  #stopped = false;
  #loop: Promise<void> = Promise.resolve();
  #stopObservingPending: () => void = () => undefined;

  constructor(private readonly options: LocalConsumerOptions<T>) {
    this.group = options.policy.group;
    this.type = options.policy.type.fullName;
    this.#subject = eventSubject(options.prefix, this.type);
    this.#inFlight = new InFlight(options.concurrency);
  }

  async start(): Promise<void> {
    const groupSubject = await this.options.store.ensureGroup(this.group, this.#subject);
    if (groupSubject !== this.#subject) throw groupConflict(this.group, groupSubject, this.#subject);
    this.#stopObservingPending = this.options.policy.observer.observePending(this.group, this.type, async () => {
      const acked = await this.options.store.acked(this.group);
      return (await this.options.store.list(this.#subject)).filter((name) => !acked.has(name)).length;
    });
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopObservingPending();
    await this.#loop;
    await this.#inFlight.drained();
    this.options.onStopped(this);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#poll();
      } catch (error) {
        this.options.logger.warn({ group: this.group, err: messageOf(error) }, 'local event consumer poll failed; polling again');
      }
      await sleep(this.options.pollMs);
    }
  }

  async #poll(): Promise<void> {
    const { store } = this.options;
    const names = await store.list(this.#subject);
    const acked = await store.acked(this.group);
    const claims = await store.claims(this.group);
    for (const name of names) {
      if (this.#stopped) return;
      if (this.#done.has(name) || this.#mine.has(name)) continue;
      if (acked.has(name)) {
        this.#done.add(name);
        continue;
      }
      const latest = claims.get(name) ?? 0;
      if (latest > 0) {
        const claim = await store.readClaim(this.group, name, latest);
        // No readable claim yet: its holder is still writing it.
        if (claim === undefined || claim.untilMs > Date.now()) continue;
      }
      await this.#inFlight.acquire();
      const attempt = latest + 1;
      if (!(await store.claim(this.group, name, attempt, { holder: this.#holder, untilMs: Date.now() + this.options.policy.ackWaitMs }))) continue;
      // Acked between our listing and the claim (an ack removes the claims, so the exclusive create can succeed again).
      if (await store.isAcked(this.group, name)) {
        this.#done.add(name);
        await store.ack(this.group, name, attempt);
        continue;
      }
      const record = await store.read(this.#subject, name);
      if (record === undefined) continue;
      this.#mine.add(name);
      this.#inFlight.run(handleDelivery(this.#delivery(name, record, attempt), this.options.policy, this.options.logger).finally(() => this.#mine.delete(name)));
    }
  }

  #delivery(name: string, record: LocalEventRecord, attempt: number): Delivery {
    const { store, prefix, policy } = this.options;
    const hold = (untilMs: number): Promise<void> => store.extendClaim(this.group, name, attempt, { holder: this.#holder, untilMs });
    return {
      data: Buffer.from(record.data, 'base64'),
      headers: lowerCaseHeaders(Object.entries(record.headers)),
      subjectType: typeFromSubject(prefix, record.subject),
      attempt,
      publishedAt: new Date(record.publishedAtMs),
      ack: async () => {
        await store.ack(this.group, name, attempt);
        this.#done.add(name);
      },
      retryAfter: (delayMs) => hold(Date.now() + delayMs),
      working: () => void hold(Date.now() + policy.ackWaitMs).catch(() => undefined),
      deadLetter: async (typeName, error) => {
        const eventId = record.headers[MSG_ID_HEADER] ?? name;
        await store.append(`${eventId}:dlq:${this.group}`, {
          subject: deadLetterSubject(prefix, typeName),
          headers: { ...withoutKey(record.headers, MSG_ID_HEADER), [MSG_ID_HEADER]: `${eventId}:dlq:${this.group}`, [ERROR_HEADER]: headerSafe(error), [DELIVERIES_HEADER]: String(attempt) },
          data: record.data,
          publishedAtMs: Date.now(),
        });
        await store.ack(this.group, name, attempt);
        this.#done.add(name);
      },
    };
  }
}

function withoutKey(headers: Readonly<Record<string, string>>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name !== key));
}
