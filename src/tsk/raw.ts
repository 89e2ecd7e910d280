import type { RawDescriptor, RawEnvRef, RawValue } from '../config/types.js';
import type { TskDocument, TskEntry, TskValue } from './types.js';

/** The key under which `toRawDocument` puts root entries (a section header can never be empty). */
export const ROOT_SECTION_KEY = '';

/**
 * The plain JSON form of a parsed value: positions dropped, `@env` kept as
 * `{ "@env": NAME, "default"?: value }`.
 */
export function toRawValue(value: TskValue): RawValue {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return value.value;
    case 'null':
      return null;
    case 'array':
      return value.items.map(toRawValue);
    case 'object':
      return entriesToRaw(value.entries);
    case 'env': {
      const ref: RawEnvRef = value.fallback === undefined
        ? { '@env': value.name }
        : { '@env': value.name, default: toRawValue(value.fallback) };
      return ref;
    }
  }
}

/** Sections by name; root entries, when there are any, under the key `""`. */
export function toRawDocument(doc: TskDocument): RawDescriptor {
  const sections: [string, RawValue][] = [];
  if (doc.root.entries.length > 0) sections.push([ROOT_SECTION_KEY, entriesToRaw(doc.root.entries)]);
  for (const section of doc.sections) sections.push([section.key, toRawValue(section.value)]);
  return Object.fromEntries(sections);
}

/** True for the plain form of an `@env(...)` reference. */
export function isRawEnvRef(value: RawValue): value is RawEnvRef {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return typeof (value as RawEnvRef)['@env'] === 'string' && keys.every((key) => key === '@env' || key === 'default');
}

// Object.fromEntries defines own properties, so a key like "__proto__" stays data.
function entriesToRaw(entries: readonly TskEntry[]): { readonly [key: string]: RawValue } {
  return Object.fromEntries(entries.map((entry) => [entry.key, toRawValue(entry.value)]));
}
