import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientAddress, proxyList, rateLimitKey, redactedUrl, type EdgeRequest } from '../../../src/gateway/policies/index.js';
import { isAddressOrCidr } from '../../../src/config/schema-gateway.js';

test('X-Forwarded-For is read only from a trusted peer, right to left past trusted hops', () => {
  const proxies = proxyList(['10.0.0.0/8', '127.0.0.1', '::1']);
  assert.equal(clientAddress('192.0.2.7', '203.0.113.5', proxies), '192.0.2.7', 'an untrusted peer\'s header is ignored');
  assert.equal(clientAddress('127.0.0.1', undefined, proxies), '127.0.0.1');
  assert.equal(clientAddress('::ffff:127.0.0.1', '203.0.113.5', proxies), '203.0.113.5', 'an IPv4-mapped peer is matched as IPv4');
  assert.equal(clientAddress('10.1.2.3', '198.51.100.1, 203.0.113.5, 10.9.9.9', proxies), '203.0.113.5', 'what the client wrote left of the first untrusted hop is not believed');
  assert.equal(clientAddress('10.1.2.3', ['198.51.100.1', '10.2.2.2'], proxies), '198.51.100.1', 'repeated headers are one list');
  assert.equal(clientAddress('10.1.2.3', 'garbage, 203.0.113.5', proxies), '203.0.113.5');
  assert.equal(clientAddress('10.1.2.3', 'not-an-ip', proxies), '10.1.2.3', 'garbage is never the address');
  assert.equal(clientAddress('::1', '2001:db8::5', proxies), '2001:db8::5');
});

test('trusted_proxies entries: addresses and CIDR blocks of either family', () => {
  for (const good of ['127.0.0.1', '10.0.0.0/8', '::1', '2001:db8::/32', '0.0.0.0/0']) assert.ok(isAddressOrCidr(good), good);
  for (const bad of ['10.0.0.0/33', '::1/129', 'localhost', '10.0.0.0/8/1', '10.0.0.0/x', '']) assert.ok(!isAddressOrCidr(bad), bad);
});

test('a redis URL is logged without its password', () => {
  assert.equal(redactedUrl('redis://user:hunter2@10.0.0.5:6380/0'), 'redis://user:***@10.0.0.5:6380/0');
  assert.equal(redactedUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.equal(redactedUrl('redis://:p%40ss@h:1'), 'redis://:***@h:1');
  assert.equal(redactedUrl('not a url hunter2'), '<redis url>');
});

test('rate limit keys: subject and api_key fall back to the address; a key is counted by its hash only', () => {
  const request = (headers: Record<string, string>, subject?: string): EdgeRequest => ({
    exchange: { request: { headers } } as never, method: undefined, clientIp: '192.0.2.1',
    principal: subject === undefined ? undefined : { kind: 'jwt', subject, scopes: [], claims: {} },
  });
  assert.equal(rateLimitKey('ip', request({}, 'alice')), 'ip:192.0.2.1');
  assert.equal(rateLimitKey('subject', request({}, 'alice')), 'subject:alice');
  assert.equal(rateLimitKey('subject', request({})), 'ip:192.0.2.1');
  const byKey = rateLimitKey('api_key', request({ 'x-api-key': 'sk-secret' }));
  assert.match(byKey, /^api_key:[0-9a-f]{64}$/);
  assert.ok(!byKey.includes('sk-secret'));
  assert.equal(rateLimitKey('api_key', request({})), 'ip:192.0.2.1');
});
