import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { chooseAdvertiseHost, firstExternalAddress } from '../../../src/server/advertise-host.js';
import { ServerStartError } from '../../../src/server/start-errors.js';
import { OneLineError } from '../../../src/status/fatal.js';

const info = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) => ({ address, family, internal }) as NetworkInterfaceInfo;
const LOOPBACK_ONLY = { lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)] };
const WITH_ETH = { ...LOOPBACK_ONLY, eth0: [info('fe80::1', 'IPv6', false), info('2001:db8::7', 'IPv6', false), info('10.0.3.17', 'IPv4', false)] };

test('an explicit choice wins; a server bound to one address advertises it', () => {
  assert.equal(chooseAdvertiseHost({ bindHost: '0.0.0.0', chosen: 'node-7.internal', sharedRegistry: true, interfaces: LOOPBACK_ONLY }), 'node-7.internal');
  assert.equal(chooseAdvertiseHost({ bindHost: '10.0.3.17', chosen: null, sharedRegistry: true, interfaces: LOOPBACK_ONLY }), '10.0.3.17');
  assert.equal(chooseAdvertiseHost({ bindHost: '127.0.0.1', chosen: null, sharedRegistry: true, interfaces: WITH_ETH }), '127.0.0.1');
  assert.equal(chooseAdvertiseHost({ bindHost: '127.0.0.1', chosen: '127.0.0.1', sharedRegistry: true, interfaces: WITH_ETH }), '127.0.0.1');
});

test('wildcard bind with etcd: the first non-internal IPv4, else a global IPv6, else a one-line start error', () => {
  assert.equal(chooseAdvertiseHost({ bindHost: '0.0.0.0', chosen: null, sharedRegistry: true, interfaces: WITH_ETH }), '10.0.3.17');
  assert.equal(firstExternalAddress({ eth0: [info('fe80::1', 'IPv6', false), info('2001:db8::7', 'IPv6', false)] }), '2001:db8::7');
  assert.throws(
    () => chooseAdvertiseHost({ bindHost: '::', chosen: null, sharedRegistry: true, interfaces: LOOPBACK_ONLY }),
    (error: unknown) => error instanceof ServerStartError && error instanceof OneLineError && /no non-internal network interface; set TUSK_ADVERTISE_HOST$/.test(error.message),
  );
});

test('loopback never goes into etcd for a server not bound to loopback; the local registry may use it', () => {
  assert.throws(() => chooseAdvertiseHost({ bindHost: '0.0.0.0', chosen: '127.0.0.1', sharedRegistry: true, interfaces: WITH_ETH }), /refusing to register loopback address 127\.0\.0\.1 in etcd/);
  assert.throws(() => chooseAdvertiseHost({ bindHost: '10.0.3.17', chosen: 'localhost', sharedRegistry: true, interfaces: WITH_ETH }), /refusing to register loopback/);
  assert.equal(chooseAdvertiseHost({ bindHost: '0.0.0.0', chosen: null, sharedRegistry: false, interfaces: WITH_ETH }), '127.0.0.1');
  assert.equal(chooseAdvertiseHost({ bindHost: '0.0.0.0', chosen: '127.0.0.1', sharedRegistry: false, interfaces: WITH_ETH }), '127.0.0.1');
});
