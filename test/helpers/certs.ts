// Test certificates made with Debian's openssl at run time, in a temp folder:
// nothing is committed. One CA issues the server and client certificates; a
// second, "rogue" CA issues certificates nobody trusts. EC P-256 keys keep
// generation fast on two cores.
import { execFile } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENSSL = process.env.TUSK_TEST_OPENSSL_BIN ?? 'openssl';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface CertificateAuthority {
  readonly name: string;
  /** PEM file of the CA certificate. */
  readonly cert: string;
  readonly key: string;
}

export interface IssuedCertificate {
  /** PEM file of the certificate (leaf only). */
  readonly cert: string;
  /** PEM file of its private key. */
  readonly key: string;
  /** The serial as openssl prints it: upper-case hex, e.g. "0A". */
  readonly serial: string;
}

export interface IssueOptions {
  readonly commonName: string;
  /** subjectAltName entries as openssl writes them: "DNS:localhost", "IP:127.0.0.1", "URI:spiffe://td/ns/x/sa/y". */
  readonly altNames?: readonly string[];
  /** Days of validity; -1 makes a certificate that has already expired. Default 2. */
  readonly days?: number;
  /** Reuse this key file instead of making a new key. */
  readonly keyFrom?: string;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: CertificateAuthority;
  readonly rogueCa: CertificateAuthority;
  /** CN "localhost", SANs DNS:localhost and IP:127.0.0.1. */
  readonly server: IssuedCertificate;
  /** CN "test-client", SAN URI spiffe://tusk.test/ns/test/sa/test-client. */
  readonly client: IssuedCertificate;
  /** A client certificate from the rogue CA. */
  readonly rogueClient: IssuedCertificate;
  /** A server certificate from the real CA that expired already. */
  readonly expiredServer: IssuedCertificate;
  issue(ca: CertificateAuthority, name: string, options: IssueOptions): Promise<IssuedCertificate>;
  /** Writes `source` over `target` the way cert-manager and Vault agents do: a new file renamed into place. */
  replaceAtomically(source: string, target: string): Promise<void>;
  destroy(): Promise<void>;
}

export const SERVER_ALT_NAMES = ['DNS:localhost', 'IP:127.0.0.1'] as const;
export const CLIENT_SPIFFE_ID = 'spiffe://tusk.test/ns/test/sa/test-client';

let serialCounter = 0x10;

async function makeCa(dir: string, name: string): Promise<CertificateAuthority> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  await run(OPENSSL, [
    'req', '-x509', ...EC, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { name, cert, key };
}

async function issueIn(dir: string, ca: CertificateAuthority, name: string, options: IssueOptions): Promise<IssuedCertificate> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  const keyArgs = options.keyFrom ? ['-new', '-key', options.keyFrom] : [...EC, '-keyout', key];
  await run(OPENSSL, ['req', ...keyArgs, '-out', csr, '-subj', `/CN=${options.commonName}`]);
  if (options.keyFrom && options.keyFrom !== key) await copyFile(options.keyFrom, key);
  const lines = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth'];
  if (options.altNames?.length) lines.push(`subjectAltName=${options.altNames.join(',')}`);
  await writeFile(extensions, `${lines.join('\n')}\n`);
  serialCounter += 1;
  const serial = serialCounter.toString(16).toUpperCase().padStart(2, '0');
  await run(OPENSSL, [
    'x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${serial}`,
    '-days', String(options.days ?? 2), '-extfile', extensions, '-out', cert,
  ]);
  return { cert, key, serial };
}

/** A CA, a rogue CA, and the usual server, client, rogue-client and expired-server certificates. */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'tusk-pki-'));
  const [ca, rogueCa] = await Promise.all([makeCa(dir, 'ca'), makeCa(dir, 'rogue-ca')]);
  const [server, client, rogueClient, expiredServer] = await Promise.all([
    issueIn(dir, ca, 'server', { commonName: 'localhost', altNames: SERVER_ALT_NAMES }),
    issueIn(dir, ca, 'client', { commonName: 'test-client', altNames: [`URI:${CLIENT_SPIFFE_ID}`] }),
    issueIn(dir, rogueCa, 'rogue-client', { commonName: 'rogue-client' }),
    issueIn(dir, ca, 'expired-server', { commonName: 'localhost', altNames: SERVER_ALT_NAMES, days: -1 }),
  ]);
  return {
    dir, ca, rogueCa, server, client, rogueClient, expiredServer,
    issue: (issuer, name, options) => issueIn(dir, issuer, name, options),
    replaceAtomically: async (source, target) => {
      const staged = `${target}.tmp-${process.pid}-${serialCounter++}`;
      await copyFile(source, staged);
      await rename(staged, target);
    },
    destroy: () => rm(dir, { recursive: true, force: true }),
  };
}
