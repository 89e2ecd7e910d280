// Generated events are typed end to end: only a declared message type-checks
// in a publisher or handler (tsc over a strict consumer with @ts-expect-error
// lines, each of which must be an error), and an undeclared message is a
// file:line:col generation error with a did-you-mean.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TSC, copyFixture, errorLines, makeConsumerProject, removeDir, runCli, runCommand } from './cli-harness.js';

const CONSUMER = `import type { EventContext, PublishReceipt } from 'tusk-grpc';
import { AlertServiceBase } from '../gen/alerts/v1/alerts.tusk.js';
import type { AlertRaised, RaiseRequest, RaiseResponse, Reading, Reading_Calibration } from '../gen/alerts/v1/alerts.js';

export class Alerts extends AlertServiceBase {
  async raise(request: RaiseRequest): Promise<RaiseResponse> {
    const receipt: PublishReceipt = await this.publishAlertRaised({ id: 'a1', text: request.text }, { eventId: 'a1' });
    // @ts-expect-error a Reading is not an AlertRaised
    await this.publishAlertRaised({ sensor: 's', value: 1 } satisfies Reading);
    // @ts-expect-error Reading is not in [events] publishes: there is no publisher for it
    await this.publishReading({ sensor: 's', value: 1 });
    return { id: receipt.eventId };
  }
  async onReading(event: Reading, ctx: EventContext): Promise<void> {
    void event.sensor, ctx.attempt;
  }
  async onCalibration(event: Reading_Calibration, _ctx: EventContext): Promise<void> {
    void event.offset;
  }
}

export class WrongHandler extends AlertServiceBase {
  async raise(): Promise<RaiseResponse> { return { id: '' }; }
  // @ts-expect-error onReading takes a Reading, not an AlertRaised
  async onReading(event: AlertRaised): Promise<void> { void event.text; }
  async onCalibration(): Promise<void> {}
}

export const sample: AlertRaised = { id: 'x', text: 'y' };
`;

let dir = '';
before(async () => {
  dir = await copyFixture('events');
  await makeConsumerProject(dir);
});
after(async () => {
  await removeDir(dir);
});

test('publishers and handlers accept only their declared message types (tsc, strict)', async () => {
  const generated = await runCli(['generate'], dir);
  assert.equal(generated.code, 0, generated.stderr);
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'src', 'consumer.ts'), CONSUMER);
  const checked = await runCommand(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], dir, 120_000);
  // An unused @ts-expect-error is itself an error (TS2578): every wrong type above must fail to compile.
  assert.equal(checked.code, 0, `tsc failed:\n${checked.stdout}${checked.stderr}`);
});

test('an undeclared message in [subscriptions] is a file:line:col error with a did-you-mean, and nothing is written', async () => {
  const tsk = join(dir, 'proto', 'alerts', 'v1', 'alerts.tsk');
  const text = await readFile(tsk, 'utf8');
  await writeFile(tsk, text.replace('event: "alerts.v1.Reading",', 'event: "alerts.v1.Readng",'));
  const result = await runCli(['generate', '--out', 'gen-broken'], dir);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const line = text.split('\n').findIndex((entry) => entry.startsWith('onReading')) + 1;
  assert.deepEqual(errorLines(result.stderr), [
    `proto/alerts/v1/alerts.tsk:${line}:20: unknown message "alerts.v1.Readng" in [subscriptions] onReading.event (did you mean "alerts.v1.Reading"?): no proto the generator reads declares it`,
  ]);
  await assert.rejects(readFile(join(dir, 'gen-broken', 'alerts', 'v1', 'alerts.tusk.ts')));
});
