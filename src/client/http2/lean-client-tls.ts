import type { SecureClientSessionOptions } from 'node:http2';

/** What the lean client needs of the [tls] / per-dependency tls options (security/tls/client-tls.ts builds it). */
export interface LeanClientTls {
  /** ca/cert/key/servername for a new session: the material in use now, so a rotated certificate is picked up. */
  sessionOptions(): SecureClientSessionOptions;
  /** Keeps the files polled for rotation until the returned stop is called. */
  watch(): () => void;
}
