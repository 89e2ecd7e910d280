// Several TuskServers in one process share one SDK: it lives while any of them
// holds it (or the app started it), and a later start after a shutdown works.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { holdTelemetry, shutdownTelemetry, startTelemetry } from '../../../src/telemetry/sdk.js';

/** True when spans made now are real (recorded, with ids): an SDK provider is registered. */
function sdkActive(): boolean {
  const span = trace.getTracer('hold-test').startSpan('probe');
  span.end();
  return span.isRecording() || span.spanContext().traceId !== '00000000000000000000000000000000';
}

describe('holdTelemetry', () => {
  it('keeps the SDK until the last holder releases it, then a new hold starts it again', async () => {
    assert.equal(sdkActive(), false, 'no SDK before the first hold');
    const releaseA = await holdTelemetry({ serviceName: 'a' });
    const releaseB = await holdTelemetry({ serviceName: 'b' });
    assert.equal(sdkActive(), true);
    await releaseA();
    await releaseA(); // a second release of the same hold changes nothing
    assert.equal(sdkActive(), true, 'B still holds it');
    await releaseB();
    assert.equal(sdkActive(), false, 'the last release shut it down');

    const releaseC = await holdTelemetry({ serviceName: 'c' });
    assert.equal(sdkActive(), true, 'started afresh after a shutdown');
    await releaseC();
    assert.equal(sdkActive(), false);
  });

  it('an SDK the application started is ended only by its own shutdownTelemetry()', async () => {
    await startTelemetry({ serviceName: 'app' });
    const release = await holdTelemetry({ serviceName: 'server' });
    await release();
    assert.equal(sdkActive(), true);
    await shutdownTelemetry();
    assert.equal(sdkActive(), false);
  });
});
