import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingScopes, scopesFromClaims } from '../../../src/security/auth/scopes.js';
import { hashApiKey, parseApiKeyFile } from '../../../src/security/auth/api-key-file.js';
import { parseSubjectAltName } from '../../../src/security/auth/mtls-identity.js';
import { VerifiedTokenCache, VERIFIED_TOKEN_TTL_MS } from '../../../src/security/auth/verified-token-cache.js';

test('scopes come from `scope` (space separated) or `scp` (a list or a string)', () => {
  assert.deepEqual(scopesFromClaims({ scope: 'a:read  b:write' }), ['a:read', 'b:write']);
  assert.deepEqual(scopesFromClaims({ scp: ['a:read', 7, '', 'c'] }), ['a:read', 'c']);
  assert.deepEqual(scopesFromClaims({ scp: 'x y' }), ['x', 'y']);
  assert.deepEqual(scopesFromClaims({ scope: 'only', scp: ['ignored'] }), ['only']);
  assert.deepEqual(scopesFromClaims({}), []);
});

test('every required scope must be held; the missing ones are named in order', () => {
  assert.deepEqual(missingScopes([], []), []);
  assert.deepEqual(missingScopes(['a', 'b', 'c'], ['b']), ['a', 'c']);
  assert.deepEqual(missingScopes(['a'], ['a', 'z']), []);
});

test('the API key file: hashes, subjects, scopes; bad entries are named without their values', () => {
  const hash = hashApiKey('s3cret-key');
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(hashApiKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'SHA-256 hex, as sha256sum prints it');
  const entries = parseApiKeyFile(JSON.stringify([{ sha256: hash.toUpperCase(), subject: 'batch', scopes: ['x:read'] }, { sha256: hashApiKey('other'), subject: 'b' }]));
  assert.equal(entries.length, 2);
  assert.equal(entries[0]!.hash.toString('hex'), hash);
  assert.deepEqual(entries[1]!.scopes, []);
  assert.throws(() => parseApiKeyFile('{'), /is not JSON/);
  assert.throws(() => parseApiKeyFile('{}'), /is not a JSON list/);
  const pasted = 'my-plain-key-pasted-by-mistake';
  assert.throws(() => parseApiKeyFile(JSON.stringify([{ sha256: pasted, subject: 'x' }])), (error: Error) => /entry 1: "sha256" is not 64 hex digits/.test(error.message) && !error.message.includes(pasted));
  assert.throws(() => parseApiKeyFile(JSON.stringify([{ sha256: hash, subject: '' }])), /entry 1: "subject"/);
  assert.throws(() => parseApiKeyFile(JSON.stringify([{ sha256: hash, subject: 'a', scopes: 'x' }])), /entry 1: "scopes"/);
  assert.throws(() => parseApiKeyFile(JSON.stringify([{ sha256: hash, subject: 'a' }, { sha256: hash, subject: 'b' }])), /entry 2: the same key hash/);
});

test('subjectaltname as node:tls prints it, quoted values included', () => {
  assert.deepEqual(parseSubjectAltName('DNS:a.test, URI:spiffe://td/ns/x, IP Address:127.0.0.1'), [
    { type: 'DNS', value: 'a.test' },
    { type: 'URI', value: 'spiffe://td/ns/x' },
    { type: 'IP Address', value: '127.0.0.1' },
  ]);
  assert.deepEqual(parseSubjectAltName('URI:"spiffe://td/a,b", DNS:b.test'), [
    { type: 'URI', value: 'spiffe://td/a,b' },
    { type: 'DNS', value: 'b.test' },
  ]);
  assert.deepEqual(parseSubjectAltName(undefined), []);
});

test('verified tokens are trusted until their expiry or the cache lifetime, whichever comes first', () => {
  const cache = new VerifiedTokenCache();
  const principal = { kind: 'jwt', subject: 's', scopes: [], claims: {} } as const;
  cache.set('t1', principal, 1_000 + 500, 1_000);
  assert.equal(cache.get('t1', 1_400), principal);
  assert.equal(cache.get('t1', 1_500), undefined);
  cache.set('t2', principal, 10 * VERIFIED_TOKEN_TTL_MS, 0);
  assert.equal(cache.get('t2', VERIFIED_TOKEN_TTL_MS - 1), principal);
  assert.equal(cache.get('t2', VERIFIED_TOKEN_TTL_MS), undefined);
  cache.set('t3', principal, 10_000, 0);
  cache.clear();
  assert.equal(cache.get('t3', 1), undefined);
});
