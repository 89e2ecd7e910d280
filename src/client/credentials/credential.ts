// What a client presents: a bearer token or an API key, fixed or produced per call.

export const AUTHORIZATION_HEADER = 'authorization';
export const API_KEY_HEADER = 'x-api-key';
/** The incoming headers `forward_auth` passes on to the next call. */
export const AUTH_HEADERS: readonly string[] = [AUTHORIZATION_HEADER, API_KEY_HEADER];

export type Credential = { readonly bearer: string } | { readonly apiKey: string };

/**
 * `create<Svc>Client({ credentials })`: a credential, or a function called
 * once per call (not per retry attempt), so a short-lived token is fetched
 * or refreshed as it likes. A function that throws fails the call UNAUTHENTICATED, unsent.
 */
export type ClientCredentials = Credential | (() => Credential | Promise<Credential>);

/** A credential's header; the value is never put in the error. */
export function credentialHeaders(credential: Credential): Readonly<Record<string, string>> {
  if (credential !== null && typeof credential === 'object') {
    if ('bearer' in credential) return { [AUTHORIZATION_HEADER]: `Bearer ${checkedToken(credential.bearer, 'bearer token')}` };
    if ('apiKey' in credential) return { [API_KEY_HEADER]: checkedToken(credential.apiKey, 'API key') };
  }
  throw new TypeError('credentials must be { bearer: string } or { apiKey: string }');
}

// What grpc-js accepts as a text metadata value, without spaces at either end.
const TOKEN = /^[!-~](?:[ -~]*[!-~])?$/;

function checkedToken(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`the ${what} is empty or not a string`);
  if (!TOKEN.test(value)) throw new TypeError(`the ${what} has characters metadata cannot carry (printable ASCII only, no spaces at the ends)`);
  return value;
}
