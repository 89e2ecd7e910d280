// Bad certificates at start-up: one line naming the file and the reason, exit code 1.
// Real child processes (the server fixture of the start-failure tests), configured by the TUSK_TLS_* variables alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';

const ENTRY = fileURLToPath(new URL('../server/fixtures/start-on-port.ts', import.meta.url));

let pki: TestPki;
before(async () => {
  pki = await makeTestPki();
});
after(async () => {
  await pki?.destroy();
});

function runChild(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  return new Promise((resolve) => {
    execFile(process.execPath, [...execArgv, ENTRY], { env: { ...process.env, TUSK_LOG_LEVEL: 'silent', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('good files: the server starts on TLS', { timeout: 60_000 }, async () => {
  const result = await runChild({ TUSK_TLS_CERT: pki.server.cert, TUSK_TLS_KEY: pki.server.key, TUSK_TLS_CA: pki.ca.cert, TUSK_TLS_CLIENT_AUTH: 'require' });
  assert.match(result.stdout, /^listening \d+\n$/);
  assert.equal(result.code, 0, result.stderr);
});

test('an expired certificate: named, with its end date, exit code 1', { timeout: 60_000 }, async () => {
  const result = await runChild({ TUSK_TLS_CERT: pki.expiredServer.cert, TUSK_TLS_KEY: pki.expiredServer.key });
  assert.match(result.stderr, new RegExp(`^tls: cert file ${escape(pki.expiredServer.cert)}: certificate "CN=localhost" expired on .+ GMT\\n$`));
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
});

test('a key that does not match the certificate: the key file is named, exit code 1', { timeout: 60_000 }, async () => {
  const result = await runChild({ TUSK_TLS_CERT: pki.server.cert, TUSK_TLS_KEY: pki.client.key });
  assert.equal(result.stderr, `tls: key file ${pki.client.key}: does not match the certificate in ${pki.server.cert}\n`);
  assert.equal(result.code, 1);
});

test('a CA that does not verify the certificate, or is no CA: named, exit code 1', { timeout: 60_000 }, async () => {
  const rogue = await runChild({ TUSK_TLS_CERT: pki.server.cert, TUSK_TLS_KEY: pki.server.key, TUSK_TLS_CA: pki.rogueCa.cert });
  assert.equal(rogue.stderr, `tls: cert file ${pki.server.cert}: is not signed by any CA in ${pki.rogueCa.cert}\n`);
  assert.equal(rogue.code, 1);
  const leaf = await runChild({ TUSK_TLS_CERT: pki.server.cert, TUSK_TLS_KEY: pki.server.key, TUSK_TLS_CA: pki.client.cert });
  assert.equal(leaf.stderr, `tls: ca file ${pki.client.cert}: "CN=test-client" is not a CA certificate (basicConstraints CA:FALSE)\n`);
  assert.equal(leaf.code, 1);
});

test('a missing file, relative to the working directory: the absolute path is named, exit code 1', { timeout: 60_000 }, async () => {
  const missing = join(pki.dir, 'nowhere', 'tls.crt');
  const result = await runChild({ TUSK_TLS_CERT: relative(process.cwd(), missing), TUSK_TLS_KEY: pki.server.key });
  assert.equal(result.stderr, `tls: cert file ${missing}: does not exist\n`);
  assert.equal(result.code, 1);
});

test('client_auth "require" without a ca: refused in one line, exit code 1', { timeout: 60_000 }, async () => {
  const result = await runChild({ TUSK_TLS_CERT: pki.server.cert, TUSK_TLS_KEY: pki.server.key, TUSK_TLS_CLIENT_AUTH: 'require' });
  assert.match(result.stderr, /^tls: ca file \(unset\): \[tls\] client_auth "require" needs a ca to verify client certificates \(TUSK_TLS_CA\)\n$/);
  assert.equal(result.code, 1);
});
