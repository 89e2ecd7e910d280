// Checks PEM material before anyone uses it, so a bad file is reported by
// name and reason instead of as an opaque handshake failure later.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OneLineError } from '../../status/fatal.js';
import { messageOf } from '../../status/tusk-error.js';

/** A TLS file that cannot be used: `message` names the file and the reason, never the file's content. */
export class TlsFileError extends OneLineError {
  constructor(readonly role: string, readonly file: string, readonly reason: string) {
    super(`tls: ${role} file ${file}: ${reason}`);
    this.name = 'TlsFileError';
  }
}

/** Certificate and key, as checked. */
export interface CheckedIdentity {
  readonly certificate: Buffer;
  readonly privateKey: Buffer;
  /** Hex serial of the leaf, for logs. */
  readonly serial: string;
}

export interface IdentityFiles {
  readonly cert: string;
  readonly key: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Absolute path of a configured file: relative paths are read from the process's working directory. */
export const tlsPath = (file: string): string => resolve(file);

/** The bytes of a file, or a TlsFileError saying why not. */
export function readTlsFile(role: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${messageOf(error)})`;
    throw new TlsFileError(role, file, reason);
  }
}

function certificatesOf(role: string, file: string, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString('utf8').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new TlsFileError(role, file, 'holds no PEM certificate');
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new TlsFileError(role, file, `certificate ${index + 1} is not readable (${messageOf(error)})`);
    }
  });
}

function checkValidity(role: string, file: string, certificate: X509Certificate, now: number): void {
  if (Date.parse(certificate.validTo) < now) throw new TlsFileError(role, file, `certificate "${certificate.subject.replace(/\n/g, ', ')}" expired on ${certificate.validTo}`);
  if (Date.parse(certificate.validFrom) > now) throw new TlsFileError(role, file, `certificate "${certificate.subject.replace(/\n/g, ', ')}" is not valid before ${certificate.validFrom}`);
}

/** A CA bundle: readable certificates, each a CA and in its validity period. */
export function checkCa(file: string, pem: Buffer, now = Date.now()): X509Certificate[] {
  const cas = certificatesOf('ca', file, pem);
  for (const ca of cas) {
    if (!ca.ca) throw new TlsFileError('ca', file, `"${ca.subject.replace(/\n/g, ', ')}" is not a CA certificate (basicConstraints CA:FALSE)`);
    checkValidity('ca', file, ca, now);
  }
  return cas;
}

/**
 * Certificate and key: readable, the leaf in its validity period, the key
 * the leaf's, and (with `trusted`) the chain signed by one of those CAs, since
 * peers configured like this process verify against the same bundle.
 */
export function checkIdentity(files: IdentityFiles, certPem: Buffer, keyPem: Buffer, trusted?: { readonly file: string; readonly cas: readonly X509Certificate[] }, now = Date.now()): CheckedIdentity {
  const chain = certificatesOf('cert', files.cert, certPem);
  const leaf = chain[0]!;
  checkValidity('cert', files.cert, leaf, now);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new TlsFileError('key', files.key, `is not a readable unencrypted PEM private key (${messageOf(error)})`);
  }
  if (!leaf.checkPrivateKey(key)) throw new TlsFileError('key', files.key, `does not match the certificate in ${files.cert}`);
  if (trusted !== undefined && !chain.some((certificate) => trusted.cas.some((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey)))) {
    throw new TlsFileError('cert', files.cert, `is not signed by any CA in ${trusted.file}`);
  }
  return { certificate: certPem, privateKey: keyPem, serial: leaf.serialNumber };
}
