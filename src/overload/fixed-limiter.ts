import type { Limiter } from './limiter.js';

/** The limit as configured, whatever happens: for a capacity that is known and must not move. */
export class FixedLimiter implements Limiter {
  constructor(readonly limit: number) {}

  onSample(): void {}

  backOff(): void {}
}
