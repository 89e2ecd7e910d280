// grpc-timeout: at most 8 ASCII digits and a unit (H hours, M minutes,
// S seconds, m milliseconds, u microseconds, n nanoseconds).
const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };
const TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const MAX_DIGITS_VALUE = 99_999_999;

/** The timeout in milliseconds, or undefined when the header is malformed. */
export function parseGrpcTimeout(header: string): number | undefined {
  const match = TIMEOUT.exec(header);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** The header for `ms` from now: milliseconds while they fit in 8 digits, else the coarsest unit that does. */
export function encodeGrpcTimeout(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole <= MAX_DIGITS_VALUE) return `${whole}m`;
  const seconds = Math.ceil(whole / 1_000);
  if (seconds <= MAX_DIGITS_VALUE) return `${seconds}S`;
  return `${Math.min(MAX_DIGITS_VALUE, Math.ceil(seconds / 3_600))}H`;
}
