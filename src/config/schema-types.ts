import type { RawValue } from './types.js';

/** What a single value may be. Durations are written as strings and resolve to milliseconds. */
export type ScalarType =
  | { readonly kind: 'string'; readonly nonEmpty?: boolean }
  | { readonly kind: 'number'; readonly integer?: boolean; readonly min?: number; readonly max?: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'duration'; readonly minMs?: number }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** A gRPC status code name such as "UNAVAILABLE". */
  | { readonly kind: 'code' }
  /** Registry metadata: any string, number or boolean. */
  | { readonly kind: 'metadata' };

/**
 * A key holding a scalar, or a list of scalars when `list` is set. A list key
 * also accepts one comma-separated string ("a:1,b:2"), which is also how an
 * `@env` value for it is read.
 */
export interface LeafSpec {
  readonly kind: 'leaf';
  readonly type: ScalarType;
  readonly list?: boolean;
  readonly nullable?: boolean;
  /**
   * As written in a .tsk ("10s", not 10000). A function when it depends on the
   * machine or on a sibling key; `sibling` reads an already checked sibling value by .tsk key.
   */
  readonly default?: RawValue | ((sibling: (key: string) => unknown) => RawValue);
  /** How the reference writes a function default out, e.g. "`5` (consecutive), `0.5` (sampling)". */
  readonly defaultText?: string;
  readonly required?: boolean;
  /** Extra rule on the checked value; returns the complaint predicate, e.g. "is not an address others can reach". */
  readonly check?: (value: unknown) => string | undefined;
  /** A password or the like: messages about a bad value never quote it. */
  readonly secret?: boolean;
  /** A typical value as written in a .tsk (`'"250ms"'`, `'["UNAVAILABLE"]'`), for the reference; a test validates each. */
  readonly example?: string;
  readonly meaning: string;
}

/** A `name { ... }` block with fixed keys. */
export interface BlockSpec {
  readonly kind: 'block';
  readonly keys: Readonly<Record<string, KeySpec>>;
  /** `null` switches the feature off (bulkhead). */
  readonly nullable?: boolean;
  /** Only `null` is supported: absent means off. */
  readonly default?: null;
  /**
   * Defaults apply inside this block even where the surrounding entry is a
   * partial override ([methods], [dependencies]): a bulkhead is all or nothing.
   */
  readonly whole?: boolean;
  /** A rule across keys; `get` reads a checked value by .tsk key (undefined when unknown until load time). */
  readonly crossCheck?: (get: (key: string) => unknown) => { readonly key: string; readonly problem: string } | undefined;
  readonly meaning: string;
}

/** A block whose keys are names chosen by the author: methods, dependency aliases, metadata. */
export interface MapSpec {
  readonly kind: 'map';
  /** "method", "dependency", "metadata key": used in messages. */
  readonly entryName: string;
  readonly entry: KeySpec;
  /** Entries are overrides: keys left out stay unset instead of taking defaults. */
  readonly partialEntries?: boolean;
  readonly meaning: string;
}

export type KeySpec = LeafSpec | BlockSpec | MapSpec;

export type SectionSpec = BlockSpec | MapSpec;
