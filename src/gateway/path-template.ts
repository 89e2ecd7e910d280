/**
 * google.api.http path templates (google/api/http.proto, "Path template syntax"):
 *
 *   Template = "/" Segments [ Verb ] ;   Segments = Segment { "/" Segment } ;
 *   Segment  = "*" | "**" | LITERAL | Variable ;   Verb = ":" LITERAL ;
 *   Variable = "{" FieldPath [ "=" Segments ] "}" ;   FieldPath = IDENT { "." IDENT } ;
 *
 * Why our own matcher and not a router library: find-my-way and its kind know
 * `:param` and a trailing `*`, but not a variable that spans several segments
 * (`{name=items/*}` binds "items/42" to one field), a `**`
 * inside a variable, or a `:verb` after the last segment (their `:` starts a param).
 */

export type TemplateSegment = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'one' } | { readonly kind: 'many' };

/** A field bound by a variable: the segments [start, end) of the template. */
export interface TemplateVariable {
  readonly fieldPath: readonly string[];
  readonly start: number;
  readonly end: number;
}

export interface PathTemplate {
  readonly source: string;
  readonly segments: readonly TemplateSegment[];
  readonly variables: readonly TemplateVariable[];
  readonly verb: string | undefined;
}

export class TemplateSyntaxError extends Error {}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Literals are URL path characters other than the template's own punctuation.
const LITERAL = /^[A-Za-z0-9\-._~!$&'()+,;=@%]+$/;

export function parsePathTemplate(source: string): PathTemplate {
  if (!source.startsWith('/')) throw new TemplateSyntaxError('a path template starts with "/"');
  let body = source.slice(1);
  let verb: string | undefined;
  // The verb is a ":" after the last segment, outside any {variable}.
  const lastSlash = body.lastIndexOf('/');
  const lastClose = body.lastIndexOf('}');
  const colon = body.indexOf(':', Math.max(lastSlash, lastClose) + 1);
  if (colon >= 0) {
    verb = body.slice(colon + 1);
    if (!LITERAL.test(verb)) throw new TemplateSyntaxError(`bad verb ":${verb}"`);
    body = body.slice(0, colon);
  }
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];
  for (const part of splitOutsideBraces(body)) {
    if (part.startsWith('{')) {
      if (!part.endsWith('}')) throw new TemplateSyntaxError(`unclosed variable "${part}"`);
      const [fieldText, pattern] = splitOnce(part.slice(1, -1), '=');
      const fieldPath = fieldText.split('.');
      if (!fieldPath.every((name) => IDENT.test(name))) throw new TemplateSyntaxError(`bad field path "${fieldText}"`);
      const start = segments.length;
      const inner = pattern === undefined ? [{ kind: 'one' } as const] : pattern.split('/').map(plainSegment);
      segments.push(...inner);
      variables.push({ fieldPath, start, end: segments.length });
    } else {
      segments.push(plainSegment(part));
    }
  }
  const many = segments.findIndex((segment) => segment.kind === 'many');
  if (many >= 0 && many !== segments.length - 1) throw new TemplateSyntaxError('"**" may only be the last segment');
  return { source, segments, variables, verb };
}

function plainSegment(text: string): TemplateSegment {
  if (text === '*') return { kind: 'one' };
  if (text === '**') return { kind: 'many' };
  if (!LITERAL.test(text)) throw new TemplateSyntaxError(text === '' ? 'empty segment' : `bad segment "${text}"`);
  return { kind: 'literal', value: text };
}

function splitOutsideBraces(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '{') depth++;
    if (char === '}') depth--;
    if (depth < 0 || depth > 1) throw new TemplateSyntaxError('unbalanced "{" "}"');
    if (char === '/' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (depth !== 0) throw new TemplateSyntaxError('unbalanced "{" "}"');
  parts.push(current);
  return parts;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** Field path (dotted) → value, for the variables of a matched template. */
export type PathBindings = ReadonlyMap<string, string>;

/**
 * Matches a request path (no query string, still percent-encoded) against a
 * template. A variable of one segment is fully decoded; one of several keeps
 * its "/" separators (RFC 6570 reserved expansion, as http.proto specifies).
 */
export function matchPathTemplate(template: PathTemplate, path: string): PathBindings | undefined {
  let rest = path.startsWith('/') ? path.slice(1) : path;
  if (template.verb !== undefined) {
    const suffix = `:${template.verb}`;
    if (!rest.endsWith(suffix)) return undefined;
    rest = rest.slice(0, -suffix.length);
  }
  const parts = rest.split('/');
  const { segments } = template;
  const endsWithMany = segments.at(-1)?.kind === 'many';
  if (endsWithMany ? parts.length < segments.length - 1 : parts.length !== segments.length) return undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === 'literal' && parts[i] !== segment.value) return undefined;
    if (segment.kind === 'one' && (parts[i] === undefined || parts[i] === '')) return undefined;
  }
  const bindings = new Map<string, string>();
  for (const variable of template.variables) {
    const end = variable.end === segments.length && endsWithMany ? parts.length : variable.end;
    const taken = parts.slice(variable.start, end);
    bindings.set(variable.fieldPath.join('.'), taken.map(safeDecode).join('/'));
  }
  return bindings;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a stray "%" is taken literally rather than failing the route
  }
}

/**
 * Orders templates so the most specific one is tried first: segment by
 * segment a literal beats `*`, which beats `**`; a verb beats none.
 */
export function compareSpecificity(a: PathTemplate, b: PathTemplate): number {
  const rank = (segment: TemplateSegment | undefined): number => (segment === undefined ? 3 : segment.kind === 'literal' ? 0 : segment.kind === 'one' ? 1 : 2);
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const difference = rank(a.segments[i]) - rank(b.segments[i]);
    if (difference !== 0) return difference;
  }
  return (a.verb === undefined ? 1 : 0) - (b.verb === undefined ? 1 : 0);
}
