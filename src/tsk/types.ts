/** Where a token or value starts in a .tsk source; line and column are 1-based. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * A parsed .tsk value. Every node keeps its source position so schema
 * validation can report `file:line:col` for the exact value it rejects.
 * `$variables` are substituted by the parser; `@env(...)` stays deferred.
 */
export type TskValue =
  | TskString
  | TskNumber
  | TskBoolean
  | TskNull
  | TskArray
  | TskObject
  | TskEnvRef;

export interface TskString { readonly kind: 'string'; readonly value: string; readonly pos: SourcePos }
export interface TskNumber { readonly kind: 'number'; readonly value: number; readonly pos: SourcePos }
export interface TskBoolean { readonly kind: 'boolean'; readonly value: boolean; readonly pos: SourcePos }
export interface TskNull { readonly kind: 'null'; readonly pos: SourcePos }
export interface TskArray { readonly kind: 'array'; readonly items: readonly TskValue[]; readonly pos: SourcePos }

/** Ordered entries; a repeated key is a syntax error, so keys are unique. */
export interface TskObject { readonly kind: 'object'; readonly entries: readonly TskEntry[]; readonly pos: SourcePos }
export interface TskEntry { readonly key: string; readonly keyPos: SourcePos; readonly value: TskValue }

/** `@env("NAME")` or `@env("NAME", default)`: resolved when a process loads its descriptor. */
export interface TskEnvRef {
  readonly kind: 'env';
  readonly name: string;
  readonly fallback?: TskValue;
  readonly pos: SourcePos;
}

/**
 * A whole file. Entries before the first `[section]` live in `root`;
 * each `[section]` is an object entry of `sections` in source order.
 */
export interface TskDocument {
  readonly file: string;
  readonly root: TskObject;
  readonly sections: readonly TskEntry[];
}
