/** Where a value sits in a descriptor, e.g. `[client] retry.max_attempts`; used by every message. */
export interface Where {
  readonly section: string;
  readonly path: readonly string[];
}

export function whereText(where: Where): string {
  return where.path.length === 0 ? `[${where.section}]` : `[${where.section}] ${where.path.join('.')}`;
}

export const child = (where: Where, key: string): Where => ({ section: where.section, path: [...where.path, key] });
