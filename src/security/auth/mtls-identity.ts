import type { PeerCertificate } from 'node:tls';
import type { Principal } from './principal.js';

/**
 * The SANs of a certificate as node:tls reports them in `subjectaltname`:
 * "DNS:a.example, URI:spiffe://td/ns/x, IP Address:127.0.0.1". Node quotes a
 * value that itself contains a comma or quote as a JSON string (`URI:"..."`).
 */
export function parseSubjectAltName(text: string | undefined): readonly { readonly type: string; readonly value: string }[] {
  if (!text) return [];
  const names: { type: string; value: string }[] = [];
  const pattern = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:,\s*|$)/gy;
  for (let match = pattern.exec(text); match !== null && match[0] !== ''; match = pattern.exec(text)) {
    const raw = match[2]!;
    names.push({ type: match[1]!.trim(), value: raw.startsWith('"') ? (JSON.parse(raw) as string) : raw.trim() });
  }
  return names;
}

/** The identity a verified client certificate names: SPIFFE URI SAN, else the first DNS SAN, else the subject CN. */
export function certificateSubject(certificate: PeerCertificate): string | undefined {
  const names = parseSubjectAltName(certificate.subjectaltname);
  const spiffe = names.find((name) => name.type === 'URI' && name.value.startsWith('spiffe://'));
  if (spiffe) return spiffe.value;
  const dns = names.find((name) => name.type === 'DNS' && name.value !== '');
  if (dns) return dns.value;
  const cn: unknown = certificate.subject?.CN;
  const first = Array.isArray(cn) ? cn[0] : cn;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/** A principal for a client certificate grpc-js reports as verified (getAuthContext() only returns one for an authorized socket). */
export function mtlsPrincipal(certificate: PeerCertificate | undefined, scopes: readonly string[]): Principal | undefined {
  if (!certificate) return undefined;
  const subject = certificateSubject(certificate);
  if (subject === undefined) return undefined;
  const claims = { san: certificate.subjectaltname ?? '', cn: certificate.subject?.CN ?? '', fingerprint256: certificate.fingerprint256 };
  return { kind: 'mtls', subject, scopes, claims };
}
