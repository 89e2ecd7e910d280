/** Units in the order they must appear, largest first ("1h30m", never "30m1h"). */
const UNIT_MS: ReadonlyArray<readonly [unit: string, ms: number]> = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;

export const DURATION_HINT = 'use a number with a unit: "250ms", "5s", "1.5s", "1m", "1m30s", "1h"';

/**
 * Milliseconds of a duration written like "250ms", "5s", "1.5s", "1m30s" or
 * "1h". A unit may appear once, largest first; the result is rounded to whole
 * milliseconds. Throws a RangeError whose message says what is accepted.
 */
export function parseDuration(text: string): number {
  const fail = (): never => {
    throw new RangeError(`${JSON.stringify(text)} is not a duration (${DURATION_HINT})`);
  };
  if (text.length === 0) fail();
  let total = 0;
  let position = 0;
  let nextUnitIndex = 0;
  while (position < text.length) {
    PART.lastIndex = position;
    const match = PART.exec(text);
    if (!match) return fail();
    const unitIndex = UNIT_MS.findIndex(([unit]) => unit === match[2]);
    if (unitIndex < nextUnitIndex) fail();
    total += Number(match[1]) * UNIT_MS[unitIndex]![1];
    nextUnitIndex = unitIndex + 1;
    position = PART.lastIndex;
  }
  return Math.round(total);
}

/** "1500" → "1.5s": the shortest readable form, for messages. */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}
