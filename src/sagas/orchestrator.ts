// Runs sagas and finishes the ones other instances left behind. Every
// instance of a service runs one orchestrator over the same store; a saga is
// driven by whoever holds its lease (compare-and-set on the record), and a
// lease that is not renewed (its holder died) is taken over on the next scan.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import { Code } from '../status/codes.js';
import { messageOf, TuskError } from '../status/tusk-error.js';
import { createLogger } from '../telemetry/logger.js';
import type { Logger } from '../telemetry/logger-types.js';
import { decodeJson, encodeJson } from './record-codec.js';
import { SagaDriver } from './saga-driver.js';
import { NO_SAGA_METRICS, sagaMetrics, type SagaObserver } from './saga-metrics.js';
import { newSagaRecord } from './state-machine.js';
import { TERMINAL_STATUSES, type SagaDefinition, type SagaOutcome, type SagaRecord } from './types.js';
import type { VersionedStore } from './versioned-store.js';

export interface SagaOrchestratorOptions {
  /** Where saga records live (createSagaStores(config.events).sagas). */
  readonly store: VersionedStore;
  /** Every saga this instance may have to finish: a recovered record names its saga. */
  readonly sagas: readonly SagaDefinition<any>[];
  /** Written in leases; default host:pid:random. */
  readonly instanceId?: string;
  /** How long a lease lasts without renewal (renewed every third of it); default 10 s. */
  readonly leaseMs?: number;
  /** How often to look for sagas whose driver is gone; default 1 s. */
  readonly recoverIntervalMs?: number;
  readonly logger?: Logger;
  /** Where the tusk_saga* metrics go; none when left out. */
  readonly metricsRegistry?: Registry;
}

export interface RunOptions {
  /** Default a fresh UUID. Running an id that exists joins that saga (its outcome is returned). */
  readonly sagaId?: string;
  readonly signal?: AbortSignal;
}

const DEFAULT_LEASE_MS = 10_000;
const DEFAULT_RECOVER_INTERVAL_MS = 1_000;
const SAGA_ID = /^[A-Za-z0-9_.-]{1,100}$/;

export class SagaOrchestrator {
  readonly instanceId: string;
  readonly #definitions = new Map<string, SagaDefinition<any>>();
  readonly #driving = new Map<string, Promise<unknown>>();
  readonly #unreadable = new Set<string>();
  readonly #stopping = new AbortController();
  readonly #logger: Logger;
  readonly #observer: SagaObserver;
  readonly #leaseMs: number;
  readonly #recoverIntervalMs: number;
  #scanner: NodeJS.Timeout | undefined;
  #scanning: Promise<void> | undefined;

  constructor(private readonly options: SagaOrchestratorOptions) {
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#logger = (options.logger ?? createLogger({ name: 'tusk-grpc' })).child({ component: 'sagas' });
    this.#observer = options.metricsRegistry ? sagaMetrics(options.metricsRegistry) : NO_SAGA_METRICS;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#recoverIntervalMs = options.recoverIntervalMs ?? DEFAULT_RECOVER_INTERVAL_MS;
    for (const saga of options.sagas) {
      if (this.#definitions.has(saga.name)) throw new TuskError(Code.INVALID_ARGUMENT, `two sagas are named ${saga.name}`);
      this.#definitions.set(saga.name, saga);
    }
  }

  /** Starts looking for sagas left behind (at once, then every recoverIntervalMs). */
  start(): void {
    if (this.#scanner || this.#stopping.signal.aborted) return;
    const scan = (): void => {
      this.#scanning ??= this.#recover().catch((error: unknown) => this.#logger.warn({ err: error }, `saga recovery scan failed: ${messageOf(error)}`)).finally(() => {
        this.#scanning = undefined;
      });
    };
    scan();
    this.#scanner = setInterval(scan, this.#recoverIntervalMs);
  }

  /** Stops scanning; each running saga finishes its current step, then is handed back for another instance. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    clearInterval(this.#scanner);
    await this.#scanning;
    await Promise.allSettled(this.#driving.values());
  }

  /** Runs the saga to its end here (or on another instance, if this one loses it) and returns how it ended. */
  async run<State>(saga: SagaDefinition<State>, input: State, options: RunOptions = {}): Promise<SagaOutcome<State>> {
    if (this.#stopping.signal.aborted) throw new TuskError(Code.UNAVAILABLE, 'the saga orchestrator is stopped');
    if (this.#definitions.get(saga.name) !== saga) throw new TuskError(Code.FAILED_PRECONDITION, `saga ${saga.name} is not among this orchestrator's sagas (pass it in options.sagas, so recovery can finish it too)`);
    const sagaId = options.sagaId ?? randomUUID();
    if (!SAGA_ID.test(sagaId)) throw new TuskError(Code.INVALID_ARGUMENT, `saga id ${JSON.stringify(sagaId)} may only hold letters, digits, ".", "-" and "_" (1 to 100)`);
    const record: SagaRecord<State> = { ...newSagaRecord(sagaId, saga.name, input, Date.now()), lease: { holder: this.instanceId, untilMs: Date.now() + this.#leaseMs } };
    const revision = await this.options.store.create(sagaId, encodeJson(record));
    if (revision === undefined) return this.outcome<State>(sagaId, options.signal);
    this.#observer.started(saga.name);
    const end = await this.#drive(saga, record, revision);
    if (end.end === 'ended') return outcomeOf(end.record);
    if (end.end === 'handed-back') throw new TuskError(Code.UNAVAILABLE, `saga ${sagaId} not finished: this orchestrator stopped; another instance finishes it`);
    return this.outcome<State>(sagaId, options.signal);
  }

  /** The stored record, or undefined. */
  async get<State>(sagaId: string): Promise<SagaRecord<State> | undefined> {
    const entry = await this.options.store.get(sagaId);
    return entry ? decodeJson<SagaRecord<State>>(entry.value) : undefined;
  }

  /** Waits (polling the store) until the saga, driven by any instance, has ended. */
  async outcome<State>(sagaId: string, signal?: AbortSignal): Promise<SagaOutcome<State>> {
    for (;;) {
      const record = await this.get<State>(sagaId);
      if (!record) throw new TuskError(Code.NOT_FOUND, `no saga with id ${sagaId}`);
      if (TERMINAL_STATUSES.has(record.status)) return outcomeOf(record);
      if (signal?.aborted) throw new TuskError(Code.CANCELLED, `stopped waiting for saga ${sagaId}`);
      await sleep(Math.min(100, this.#recoverIntervalMs), undefined, signal ? { signal } : undefined).catch(() => undefined);
    }
  }

  #drive<State>(saga: SagaDefinition<State>, record: SagaRecord<State>, revision: number) {
    const driver = new SagaDriver(saga, record, revision, { store: this.options.store, holder: this.instanceId, leaseMs: this.#leaseMs, logger: this.#logger, observer: this.#observer, stopping: this.#stopping.signal });
    const driving = driver.drive().finally(() => this.#driving.delete(record.id));
    this.#driving.set(record.id, driving);
    return driving;
  }

  /** Takes over every unfinished saga whose lease ran out (or was handed back) and drives it here. */
  async #recover(): Promise<void> {
    for (const sagaId of await this.options.store.keys()) {
      if (this.#stopping.signal.aborted) return;
      if (this.#driving.has(sagaId)) continue;
      // One unreadable record must not keep the others from being finished.
      await this.#recoverOne(sagaId).catch((error: unknown) => {
        if (this.#unreadable.has(sagaId)) return; // said once, not every scan
        this.#unreadable.add(sagaId);
        this.#logger.warn({ saga_id: sagaId, err: error }, `cannot recover saga ${sagaId}: ${messageOf(error)}`);
      });
    }
  }

  async #recoverOne(sagaId: string): Promise<void> {
    const entry = await this.options.store.get(sagaId);
    if (!entry) return;
    const record = decodeJson<SagaRecord>(entry.value);
    if (TERMINAL_STATUSES.has(record.status) || (record.lease && record.lease.untilMs > Date.now())) return;
    const saga = this.#definitions.get(record.saga);
    if (!saga) return; // another service's saga in a shared store
    const taken: SagaRecord = { ...record, lease: { holder: this.instanceId, untilMs: Date.now() + this.#leaseMs } };
    const revision = await this.options.store.update(sagaId, encodeJson(taken), entry.revision);
    if (revision === undefined) return; // another instance was quicker
    this.#logger.info({ saga: record.saga, saga_id: sagaId, status: record.status, step: saga.steps[record.step]?.name, previous_holder: record.lease?.holder }, 'resuming saga left unfinished');
    this.#observer.resumed(record.saga);
    void this.#drive(saga, taken, revision).catch((error: unknown) => this.#logger.error({ saga_id: sagaId, err: error }, 'saga driver failed'));
  }
}

function outcomeOf<State>(record: SagaRecord<State>): SagaOutcome<State> {
  return {
    sagaId: record.id, status: record.status as SagaOutcome<State>['status'], state: record.state, history: record.history,
    ...(record.error === undefined ? {} : { error: record.error }),
  };
}
