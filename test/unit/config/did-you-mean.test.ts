import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean, didYouMeanSuffix, editDistance } from '../../../src/config/did-you-mean.js';

test('editDistance counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
  assert.equal(editDistance('GetUser', 'GetUser'), 0);
  assert.equal(editDistance('GetUsr', 'GetUser'), 1);
  assert.equal(editDistance('GetUesr', 'GetUser'), 1);
  assert.equal(editDistance('GetUzer', 'GetUser'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('didYouMean picks the closest plausible candidate, ignoring case', () => {
  const methods = ['GetUser', 'CreateUser', 'ListUsers'];
  assert.equal(didYouMean('GetUsr', methods), 'GetUser');
  assert.equal(didYouMean('getuser', methods), 'GetUser');
  assert.equal(didYouMean('ListUser', methods), 'ListUsers');
  assert.equal(didYouMean('balancr', ['balancer', 'timeout', 'retry']), 'balancer');
});

test('didYouMean stays quiet when nothing is close', () => {
  assert.equal(didYouMean('DeleteEverything', ['GetUser', 'CreateUser']), undefined);
  assert.equal(didYouMean('X', ['OK', 'UNAVAILABLE']), undefined);
  assert.equal(didYouMean('abc', []), undefined);
});

test('didYouMeanSuffix formats the hint for messages', () => {
  assert.equal(didYouMeanSuffix('GetUsr', ['GetUser']), ' (did you mean "GetUser"?)');
  assert.equal(didYouMeanSuffix('zzz', ['GetUser']), '');
});
