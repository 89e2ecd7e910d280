/** Scopes a JWT grants: `scope` (space separated, RFC 8693) or `scp` (a list, or a space-separated string as some IdPs send it). */
export function scopesFromClaims(claims: Readonly<Record<string, unknown>>): readonly string[] {
  const { scope, scp } = claims;
  if (typeof scope === 'string') return splitScopes(scope);
  if (Array.isArray(scp)) return scp.filter((item): item is string => typeof item === 'string' && item !== '');
  if (typeof scp === 'string') return splitScopes(scp);
  return [];
}

function splitScopes(text: string): readonly string[] {
  return text.split(' ').filter((item) => item !== '');
}

/** The required scopes the caller does not hold, in the order they are required. */
export function missingScopes(required: readonly string[], held: readonly string[]): readonly string[] {
  if (required.length === 0) return required;
  return required.filter((scope) => !held.includes(scope));
}
