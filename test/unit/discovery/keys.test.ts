import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  assertAdvertisableAddress,
  decodeEndpointValue,
  encodeEndpointValue,
  instanceKey,
  serviceKeyPrefix,
} from '../../../src/discovery/index.js';

test('key layout: <prefix>/<service>/<host:port>, watch prefix with a trailing slash', () => {
  assert.equal(serviceKeyPrefix('services', 'user.v1.UserService'), 'services/user.v1.UserService/');
  assert.equal(serviceKeyPrefix('services/', 'user.v1.UserService'), 'services/user.v1.UserService/');
  assert.equal(serviceKeyPrefix('', 'a.B'), 'a.B/');
  assert.equal(instanceKey('services', 'user.v1.UserService', '10.0.0.7:50051'), 'services/user.v1.UserService/10.0.0.7:50051');
});

test('value: exactly {"Op":0,"Addr":...,"Metadata":{...}}', () => {
  assert.equal(
    encodeEndpointValue({ address: '10.0.0.7:50051', metadata: { version: '1', weight: 3 } }),
    '{"Op":0,"Addr":"10.0.0.7:50051","Metadata":{"version":"1","weight":3}}',
  );
});

test('decode accepts the contract and Go writers without Metadata, rejects everything else', () => {
  assert.deepEqual(decodeEndpointValue('{"Op":0,"Addr":"h:1","Metadata":{"a":1}}'), { address: 'h:1', metadata: { a: 1 } });
  assert.deepEqual(decodeEndpointValue('{"Op":0,"Addr":"h:1"}'), { address: 'h:1', metadata: {} });
  assert.deepEqual(decodeEndpointValue('{"Op":0,"Addr":"h:1","Metadata":null}'), { address: 'h:1', metadata: {} });
  for (const bad of ['', 'x', '[]', 'null', '{"Op":1,"Addr":"h:1"}', '{"Addr":"h:1"}', '{"Op":0,"Addr":""}', '{"Op":0,"Addr":5}']) {
    assert.equal(decodeEndpointValue(bad), null, bad);
  }
});

test('decode never throws and round-trips what encode writes', () => {
  fc.assert(fc.property(fc.string(), (text) => {
    decodeEndpointValue(text);
  }));
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (address, metadata) => {
      const decoded = decodeEndpointValue(encodeEndpointValue({ address, metadata }));
      assert.deepEqual(decoded, { address, metadata: JSON.parse(JSON.stringify(metadata)) });
    }),
  );
});

test('wildcard or malformed addresses are never advertised', () => {
  for (const good of ['127.0.0.1:1', 'user-1.svc:50051', '[::1]:50051']) assertAdvertisableAddress(good);
  for (const bad of ['0.0.0.0:50051', '[::]:50051', ':50051', 'host', 'host:0', 'host:70000']) {
    assert.throws(() => assertAdvertisableAddress(bad), Error, bad);
  }
});
