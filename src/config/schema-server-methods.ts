import { AUTH_METHOD_KEYS } from './schema-auth.js';
import { priorityKey } from './schema-overload.js';
import type { KeySpec } from './schema-types.js';

/**
 * Keys of a `[methods]` entry that only the serving side reads (who may call a
 * method, how its calls are admitted). They belong to the service's own
 * `[methods]` section, never to a caller's `[dependencies] x.methods`, which
 * holds client policy only. Each concern adds its keys here.
 */
export const SERVER_METHOD_KEYS: Readonly<Record<string, KeySpec>> = {
  ...AUTH_METHOD_KEYS,
  priority: priorityKey,
};
