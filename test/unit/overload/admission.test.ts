import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveDescriptor } from '../../../src/config/resolve-descriptor.js';
import type { OverloadSettings, Priority } from '../../../src/config/types.js';
import { Admission, AdmittedMethod, SATURATED_FOR_MS, SHEDDING_QUIET_MS } from '../../../src/overload/admission.js';
import { loopSaturated } from '../../../src/overload/event-loop-gate.js';
import { MIN_LATENCY_SAMPLES } from '../../../src/overload/method-latency.js';
import { admissionThresholds } from '../../../src/overload/priority.js';
import { Code } from '../../../src/status/codes.js';
import type { Logger } from '../../../src/telemetry/logger-types.js';

const defaults = resolveDescriptor({}, null, 'a.v1.Svc', {}).server.overload;
const settings = (overrides: Partial<OverloadSettings>): OverloadSettings => ({ ...defaults, ...overrides });

interface Line { level: string; message: string }
function recordingLogger(lines: Line[]): Logger {
  const at = (level: string) => (_fields: unknown, message?: string) => void lines.push({ level, message: message ?? '' });
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => recordingLogger(lines) } as unknown as Logger;
}

function setup(overrides: Partial<OverloadSettings>) {
  const lines: Line[] = [];
  const shed: string[] = [];
  const methods = {
    plain: new AdmittedMethod('/s/Plain', 'default', 'unary'),
    critical: new AdmittedMethod('/s/Critical', 'critical', 'unary'),
    sheddable: new AdmittedMethod('/s/Sheddable', 'sheddable', 'unary'),
    stream: new AdmittedMethod('/s/Watch', 'default', 'server_streaming'),
  };
  const admission = new Admission({
    settings: settings({ limiter: 'fixed', ...overrides }),
    methods: Object.values(methods),
    logger: recordingLogger(lines),
    observer: { state: () => undefined, shed: (reason, priority) => void shed.push(`${reason}/${priority}`) },
    gate: false,
  });
  return { admission, methods, lines, shed };
}

const call = (headers: Record<string, string> = {}, deadline?: number) => ({ deadline, header: (name: string) => headers[name] });

test('thresholds: sheddable fills up first, default next, critical may use the whole limit; small limits keep a slot per step; one call always fits', () => {
  assert.deepEqual(admissionThresholds(100, { criticalReserve: 0.1, sheddableShare: 0.7 }), { critical: 100, default: 90, sheddable: 70 });
  const small = admissionThresholds(3, { criticalReserve: 0.1, sheddableShare: 0.7 });
  assert.deepEqual([small.critical, small.default, small.sheddable].map((value) => value.toFixed(2)), ['3.70', '2.70', '1.70']);
  assert.deepEqual(admissionThresholds(0.5, { criticalReserve: 0.5, sheddableShare: 0 }), { critical: 2, default: 1, sheddable: 1 });
  assert.deepEqual(admissionThresholds(10, { criticalReserve: 0, sheddableShare: 1 }), { critical: 10, default: 10, sheddable: 10 });
});

test('over the limit: refused at once by priority, sheddable first; critical keeps its reserve', () => {
  const { admission, methods, shed } = setup({ initialLimit: 10, criticalReserve: 0.2, sheddableShare: 0.5 });
  const admitted = (method: AdmittedMethod) => admission.admit(method, call()) === undefined;
  for (let i = 0; i < 5; i++) assert.ok(admitted(methods.plain));
  const refusal = admission.admit(methods.sheddable, call());
  assert.equal(refusal?.code, Code.UNAVAILABLE);
  assert.equal(refusal?.metadata.get('grpc-retry-pushback-ms')[0], '100');
  for (let i = 0; i < 3; i++) assert.ok(admitted(methods.plain));
  assert.equal(admitted(methods.plain), false, 'default stops at 80 % of 10');
  assert.ok(admitted(methods.critical) && admitted(methods.critical));
  assert.equal(admitted(methods.critical), false, 'critical stops at the limit');
  assert.equal(admission.inFlight, 10);
  assert.deepEqual(shed, ['OVERLOADED/sheddable', 'OVERLOADED/default', 'OVERLOADED/critical']);
});

test('streams are checked against the limit but hold no slot', () => {
  const { admission, methods } = setup({ initialLimit: 2 });
  assert.equal(admission.admit(methods.stream, call()), undefined);
  assert.equal(admission.inFlight, 0);
  admission.admit(methods.plain, call());
  admission.admit(methods.plain, call());
  assert.equal(admission.admit(methods.stream, call())?.code, Code.UNAVAILABLE);
});

test('the tusk-priority header counts only when trust_priority_header is on', () => {
  for (const trusted of [false, true]) {
    const { admission, methods } = setup({ initialLimit: 10, sheddableShare: 0.1, trustPriorityHeader: trusted });
    admission.admit(methods.plain, call());
    const refusal = admission.admit(methods.plain, call({ 'tusk-priority': 'sheddable' }));
    assert.equal(refusal?.code, trusted ? Code.UNAVAILABLE : undefined, `trusted ${trusted}`);
  }
});

test('deadline-aware: once the method has a typical latency, a shorter remaining deadline is DEADLINE_EXCEEDED without a slot', () => {
  const { admission, methods, shed } = setup({ initialLimit: 100 });
  assert.equal(admission.admit(methods.plain, call({}, Date.now() + 1)), undefined, 'no latency known yet: runs');
  admission.release(methods.plain, 50, Code.OK, true);
  for (let i = 0; i < MIN_LATENCY_SAMPLES; i++) {
    admission.admit(methods.plain, call());
    admission.release(methods.plain, 50, Code.OK, true);
  }
  const refusal = admission.admit(methods.plain, call({}, Date.now() + 10));
  assert.equal(refusal?.code, Code.DEADLINE_EXCEEDED);
  assert.equal(refusal?.metadata.get('grpc-retry-pushback-ms').length, 0, 'not to be retried');
  assert.equal(admission.inFlight, 0);
  assert.equal(admission.admit(methods.plain, call({}, Date.now() + 5_000)), undefined);
  assert.deepEqual(shed, ['DEADLINE_TOO_SHORT/default']);
});

test('clean signals: cancelled, deadline-missed and unanswered calls release their slot but are no latency sample', () => {
  const { admission, methods } = setup({ initialLimit: 100 });
  for (const [code, answered] of [[Code.CANCELLED, true], [Code.DEADLINE_EXCEEDED, true], [Code.OK, false]] as const) {
    for (let i = 0; i < MIN_LATENCY_SAMPLES + 1; i++) {
      admission.admit(methods.plain, call());
      admission.release(methods.plain, 10_000, code, answered);
    }
  }
  assert.equal(admission.inFlight, 0);
  assert.equal(methods.plain.latency.typicalMs, undefined, 'none of them was a sample');
});

test('an admitted call ended by its deadline backs the limit off below what was in flight', () => {
  const { admission, methods } = setup({ limiter: 'gradient2', initialLimit: 100, minLimit: 2 });
  for (let i = 0; i < 10; i++) admission.admit(methods.plain, call());
  admission.release(methods.plain, 1_000, Code.DEADLINE_EXCEEDED, false);
  assert.equal(admission.limit, 9);
  admission.release(methods.plain, 1_000, Code.CANCELLED, false);
  assert.equal(admission.limit, 9, 'a cancelled call says nothing');
});

test('an answer that left after its deadline is a back-off too, not a sample; one in time is a sample', () => {
  const { admission, methods } = setup({ limiter: 'gradient2', initialLimit: 100, minLimit: 2 });
  const now = Date.now();
  for (let i = 0; i < 10; i++) admission.admit(methods.plain, call());
  admission.release(methods.plain, 1_300, Code.OK, true, now - 300, now);
  assert.equal(admission.limit, 9);
  for (let i = 0; i < MIN_LATENCY_SAMPLES; i++) admission.release(methods.plain, 50, Code.OK, true, now + 1_000, now);
  assert.ok(admission.limit >= 9, 'timely answers: samples, no back-off');
  assert.equal(Math.round(methods.plain.latency.typicalAt(now)!), 50, 'the late answer was no sample');
});

test('rejected calls do not grow the limit (aimd would +1 per sample in use)', () => {
  const { admission, methods } = setup({ limiter: 'aimd', initialLimit: 4, minLimit: 1, maxLimit: 100 });
  for (let i = 0; i < 4; i++) admission.admit(methods.plain, call());
  for (let i = 0; i < 100; i++) assert.ok(admission.admit(methods.plain, call()));
  assert.equal(admission.limit, 4);
});

const idle = { utilization: 0.1, delayP99Ms: 1, intervalMs: 100 };
test('a saturated loop backs the limit off while the slots are in use; one log line when shedding starts and one when it stops', () => {
  const { admission, methods, lines } = setup({ limiter: 'gradient2', initialLimit: 40, minLimit: 10, maxLoopDelayMs: 50 });
  const halving = setup({ limiter: 'gradient2', initialLimit: 100, minLimit: 4, maxLoopDelayMs: 50 });
  for (let i = 0; i < 5; i++) halving.admission.admit(halving.methods.plain, call());
  halving.admission.onLoopReading({ utilization: 1, delayP99Ms: 900, intervalMs: 1000 }, 0);
  assert.equal(halving.admission.limit, 45, 'a stall with 5 of 100 in flight halves the limit, not cuts it to 5');
  const saturated = { utilization: 1, delayP99Ms: 200, intervalMs: 100 };
  const blocked = { utilization: 1, delayP99Ms: 900, intervalMs: 1000 };
  for (let i = 0; i < 5; i++) admission.admit(methods.plain, call());
  admission.onLoopReading(blocked, 0);
  assert.equal(admission.limit, 40, 'fewer slots in use than min_limit: the calls are not what saturates the loop');
  for (let i = 0; i < 25; i++) admission.admit(methods.plain, call());
  admission.onLoopReading(idle, 0);
  for (let i = 0; i * 100 < SATURATED_FOR_MS - 100; i++) admission.onLoopReading(saturated, 0);
  assert.equal(admission.limit, 40, 'a late timer or two is not overload');
  admission.onLoopReading(saturated, 0);
  assert.equal(admission.limit, 27, 'sustained: below the 30 in use');
  admission.onLoopReading(idle, 0);
  admission.onLoopReading(blocked, 0);
  assert.ok(admission.limit < 27, 'one late reading that covers a long block counts too');
  for (let i = 0; i < 30; i++) admission.release(methods.plain, 1, Code.CANCELLED, false);
  for (let i = 0; i < 50; i++) admission.admit(methods.sheddable, call());
  admission.onLoopReading(idle, performance.now() + 10);
  assert.equal(admission.shedding, true);
  admission.onLoopReading(idle, performance.now() + SHEDDING_QUIET_MS + 10);
  assert.equal(admission.shedding, false);
  assert.deepEqual(lines.map((line) => `${line.level} ${line.message}`), ['warn overload: shedding started', 'info overload: shedding stopped']);
});

test('loopSaturated: delay over max_loop_delay, or utilisation at max_loop_utilization when that is below 1', () => {
  const thresholds = { maxLoopDelayMs: 50, maxLoopUtilization: 1 };
  assert.equal(loopSaturated({ utilization: 1, delayP99Ms: 10, intervalMs: 100 }, thresholds), false);
  assert.equal(loopSaturated({ utilization: 0.2, delayP99Ms: 60, intervalMs: 100 }, thresholds), true);
  assert.equal(loopSaturated({ utilization: 0.96, delayP99Ms: 10, intervalMs: 100 }, { ...thresholds, maxLoopUtilization: 0.95 }), true);
});

const priorities: Priority[] = ['critical', 'default', 'sheddable'];
test('every priority has a prebuilt refusal carrying ErrorInfo OVERLOADED and RetryInfo', async () => {
  const { decodeStatusDetails } = await import('../../../src/status/status-details.js');
  const { admission } = setup({ initialLimit: 1, pushbackMs: 250 });
  const method = new AdmittedMethod('/s/X', 'critical', 'unary');
  admission.admit(method, call());
  admission.admit(method, call());
  for (const priority of priorities) {
    const refusal = admission.admit(new AdmittedMethod('/s/X', priority, 'unary'), call())!;
    const decoded = decodeStatusDetails(refusal.metadata.get('grpc-status-details-bin')[0] as Buffer)!;
    assert.deepEqual(decoded.details, { errorInfo: { reason: 'OVERLOADED', domain: 'tusk-grpc', metadata: { priority } }, retryInfo: { retryDelayMs: 250 } });
  }
});

test('deadline-aware: a typical latency no sample confirmed lately is not trusted, so refusals cannot lock a method out', () => {
  const { admission, methods } = setup({ initialLimit: 100 });
  const start = Date.now();
  // A stall made the method's calls take ~1 s: its typical latency now exceeds every caller's deadline.
  for (let i = 0; i < MIN_LATENCY_SAMPLES; i++) {
    admission.admit(methods.plain, call());
    methods.plain.latency.record(1_000, start);
  }
  assert.equal(admission.admit(methods.plain, call({}, start + 500), start + 100)?.code, Code.DEADLINE_EXCEEDED, 'refused while the estimate is fresh');
  // Every call refused means no new sample: once the estimate is older than twice itself, calls run again and re-measure.
  assert.equal(admission.admit(methods.plain, call({}, start + 2_600), start + 2_100), undefined);
});
