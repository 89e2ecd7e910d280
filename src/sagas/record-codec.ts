// Saga records and idempotency outcomes are JSON in the stores. ts-proto
// messages hold bigint (int64) and Date (Timestamp), which plain JSON loses:
// they are written as {"$bigint": "..."} / {"$date": ms} and read back as such.

const BIGINT = '$bigint';
const DATE = '$date';

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, current: unknown) {
    const raw = this[key];
    if (typeof raw === 'bigint') return { [BIGINT]: raw.toString() };
    if (raw instanceof Date) return { [DATE]: raw.getTime() };
    return current;
  });
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === BIGINT) return BigInt((value as Record<string, string>)[BIGINT]!);
      if (keys.length === 1 && keys[0] === DATE) return new Date((value as Record<string, number>)[DATE]!);
    }
    return value;
  }) as T;
}
