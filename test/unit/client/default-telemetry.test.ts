// Whether createClient's defaults are installed depends on what the application chose before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientStateObserver, setClientStateObserver } from '../../../src/client/client-observer.js';
import { installDefaultClientTelemetry } from '../../../src/client/default-telemetry.js';
import { clientTraceHook, setClientTraceHook, type ClientTraceHook } from '../../../src/client/trace-hook.js';

test('the defaults are installed once, unless the application chose a hook or observer (or none)', () => {
  assert.equal(clientTraceHook(), undefined, 'nothing before the first client');
  installDefaultClientTelemetry();
  const hook = clientTraceHook();
  const observer = clientStateObserver();
  assert.ok(hook && observer);
  installDefaultClientTelemetry();
  assert.equal(clientTraceHook(), hook, 'installed once, shared by every client');
  assert.equal(clientStateObserver(), observer);

  setClientTraceHook(undefined);
  setClientStateObserver(undefined);
  installDefaultClientTelemetry();
  assert.equal(clientTraceHook(), undefined, 'undefined chosen by the application turns the hook off for good');
  assert.equal(clientStateObserver(), undefined);

  const own: ClientTraceHook = { startCall: () => undefined };
  setClientTraceHook(own);
  installDefaultClientTelemetry();
  assert.equal(clientTraceHook(), own, 'the application\'s hook stays');
});
