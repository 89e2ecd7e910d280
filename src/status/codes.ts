/** gRPC status codes, same numbers as every gRPC implementation; kept here so the pipeline needs no transport import. */
export enum Code {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

export type CodeName = keyof typeof Code;

export function codeName(code: number): CodeName | `CODE_${number}` {
  const name = Code[code] as CodeName | undefined;
  return name ?? `CODE_${code}`;
}

export function codeFromName(name: string): Code | undefined {
  const value = (Code as unknown as Record<string, unknown>)[name];
  return typeof value === 'number' ? (value as Code) : undefined;
}
