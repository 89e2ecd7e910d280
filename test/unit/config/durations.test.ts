import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../../src/config/durations.js';

test('parseDuration reads every documented form', () => {
  const cases: [string, number][] = [
    ['250ms', 250], ['5s', 5000], ['1m', 60_000], ['1h', 3_600_000], ['1.5s', 1500],
    ['1m30s', 90_000], ['1h30m', 5_400_000], ['2h1m1s5ms', 7_261_005], ['0s', 0], ['0.5ms', 1],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('parseDuration rejects everything else with a message that shows the accepted forms', () => {
  for (const text of ['', '5', '5 s', ' 5s', '5S', '-1s', '1.s', '.5s', '5sec', '1d', '30s1m', '1s1s', '1m 30s', 'ms', '5s,']) {
    assert.throws(() => parseDuration(text), (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.equal(error.message, `${JSON.stringify(text)} is not a duration (use a number with a unit: "250ms", "5s", "1.5s", "1m", "1m30s", "1h")`);
      return true;
    }, text);
  }
});

test('formatDuration picks the largest whole unit', () => {
  assert.equal(formatDuration(1000), '1s');
  assert.equal(formatDuration(1500), '1.5s');
  assert.equal(formatDuration(120_000), '2m');
  assert.equal(formatDuration(7_200_000), '2h');
  assert.equal(formatDuration(1), '1ms');
  assert.equal(formatDuration(0), '0ms');
});
