import type { RawDescriptor, RawEnvRef, RawValue } from '../config/types.js';
import type { TskDocument, TskValue } from './types.js';

/** The key under which `toRawDocument` puts root entries (a section header can never be empty). */
export const ROOT_SECTION_KEY = '';

/**
 * The plain JSON form of a parsed value: positions dropped, `@env` kept as
 * `{ "@env": NAME, "default"?: value }`. With `envPositions`, each `@env` also
 * keeps `"@at": "line:col"`, so a load-time error can point at it.
 */
export function toRawValue(value: TskValue, envPositions = false): RawValue {
  const convert = (inner: TskValue): RawValue => toRawValue(inner, envPositions);
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return value.value;
    case 'null':
      return null;
    case 'array':
      return value.items.map(convert);
    case 'object':
      // Object.fromEntries defines own properties, so a key like "__proto__" stays data.
      return Object.fromEntries(value.entries.map((entry) => [entry.key, convert(entry.value)]));
    case 'env': {
      const at = envPositions ? { '@at': `${value.pos.line}:${value.pos.column}` } : {};
      const ref: RawEnvRef = value.fallback === undefined
        ? { '@env': value.name, ...at }
        : { '@env': value.name, ...at, default: convert(value.fallback) };
      return ref;
    }
  }
}

/** Sections by name; root entries, when there are any, under the key `""`. */
export function toRawDocument(doc: TskDocument): RawDescriptor {
  const sections: [string, RawValue][] = [];
  if (doc.root.entries.length > 0) sections.push([ROOT_SECTION_KEY, toRawValue(doc.root)]);
  for (const section of doc.sections) sections.push([section.key, toRawValue(section.value)]);
  return Object.fromEntries(sections);
}

/** True for the plain form of an `@env(...)` reference. */
export function isRawEnvRef(value: RawValue): value is RawEnvRef {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return typeof (value as RawEnvRef)['@env'] === 'string' && keys.every((key) => key === '@env' || key === 'default' || key === '@at');
}
