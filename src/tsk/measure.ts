import type { TskValue } from './types.js';

export interface ValueMeasure {
  /** Containers nested in the value, itself included: 0 for a scalar, 1 for `[1]`. */
  readonly height: number;
  /** Values in the fully expanded tree, itself included. */
  readonly size: number;
}

// Values reached through variables are shared between parents; memoising keeps
// measuring linear in distinct nodes even when the expanded tree is huge.
const measured = new WeakMap<TskValue, ValueMeasure>();

export function measureValue(value: TskValue): ValueMeasure {
  const known = measured.get(value);
  if (known) return known;
  let children: readonly TskValue[] = [];
  if (value.kind === 'array') children = value.items;
  else if (value.kind === 'object') children = value.entries.map((entry) => entry.value);
  else if (value.kind === 'env' && value.fallback !== undefined) children = [value.fallback];
  let height = 0;
  let size = 1;
  for (const child of children) {
    const inner = measureValue(child);
    height = Math.max(height, inner.height);
    size += inner.size;
  }
  const isContainer = value.kind === 'array' || value.kind === 'object' || value.kind === 'env';
  const result = { height: isContainer ? height + 1 : 0, size };
  measured.set(value, result);
  return result;
}
