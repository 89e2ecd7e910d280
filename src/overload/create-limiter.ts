import type { OverloadSettings } from '../config/types.js';
import { AimdLimiter } from './aimd-limiter.js';
import { FixedLimiter } from './fixed-limiter.js';
import { Gradient2Limiter } from './gradient2-limiter.js';
import type { Limiter } from './limiter.js';

/** The limiter `[server] overload { limiter }` names. */
export function createLimiter(settings: OverloadSettings): Limiter {
  switch (settings.limiter) {
    case 'fixed':
      return new FixedLimiter(settings.initialLimit);
    case 'aimd':
      return new AimdLimiter(settings);
    case 'gradient2':
      return new Gradient2Limiter(settings);
  }
}
