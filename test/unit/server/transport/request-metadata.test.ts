// The lean transport's request metadata reads text headers without building
// grpc-js' entries, and once built it is exactly what fromHttp2Headers gives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http2';
import { Metadata } from '@grpc/grpc-js';
import { RequestMetadata } from '../../../../src/server/transport/request-metadata.js';
import { firstText, setKnownLegalText } from '../../../../src/server/create-call-context.js';

const HEADERS: IncomingHttpHeaders = {
  ':path': '/test.v1.S/Get', ':method': 'POST', ':authority': 'localhost', ':scheme': 'http',
  'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '5S', 'grpc-accept-encoding': 'gzip',
  'x-request-id': 'r-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'trace-bin': Buffer.from([1, 2, 255]).toString('base64'), 'x-illegal': 'caf\u00e9', 'set-cookie': ['a=1', 'b=2'],
};

function reference(): Metadata {
  const metadata = Metadata.fromHttp2Headers(HEADERS);
  for (const name of ['grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'accept-encoding', 'te', 'content-type']) metadata.remove(name);
  return metadata;
}

describe('RequestMetadata', () => {
  it('answers text headers as fromHttp2Headers would, without building its entries', () => {
    const metadata = new RequestMetadata(HEADERS);
    const expected = reference();
    for (const key of ['x-request-id', 'X-Request-Id', 'traceparent', 'x-illegal', 'set-cookie', 'absent']) assert.deepEqual(metadata.get(key), expected.get(key), key);
    assert.equal(metadata.built, false);
  });

  it('firstText is get(key)[0] for text, without building the entries', () => {
    const metadata = new RequestMetadata(HEADERS);
    const expected = reference();
    setKnownLegalText(metadata, 'x-request-id', 'r-3');
    metadata.set('x-second', 'two');
    metadata.set('x-request-id', 'r-4');
    expected.set('x-request-id', 'r-4');
    expected.set('x-second', 'two');
    for (const key of ['x-request-id', 'X-Second', 'traceparent', 'x-illegal', 'set-cookie', 'absent']) {
      const first = expected.get(key)[0];
      const text = typeof first === 'string' ? first : undefined;
      assert.equal(metadata.firstText(key), text, key);
      assert.equal(firstText(metadata, key), text, `${key}, through the chain's helper`);
      assert.equal(firstText(expected, key), text, `${key}, from grpc-js' own Metadata`);
    }
    assert.equal(metadata.built, false);
    assert.equal(metadata.firstText('trace-bin'), undefined, 'a binary value is not text');
    assert.equal(firstText(expected, 'trace-bin'), undefined);
    assert.deepEqual(metadata.getMap(), expected.getMap());
  });

  it('builds the same entries on first whole use, with values set before that on top', () => {
    const metadata = new RequestMetadata(HEADERS);
    metadata.set('x-request-id', 'r-2');
    metadata.set('x-new', 'v');
    assert.equal(metadata.built, false);
    assert.deepEqual(metadata.get('x-request-id'), ['r-2']);
    const expected = reference();
    expected.set('x-request-id', 'r-2');
    expected.set('x-new', 'v');
    assert.deepEqual(metadata.getMap(), expected.getMap());
    assert.equal(metadata.built, true);
    assert.deepEqual(metadata.toHttp2Headers(), expected.toHttp2Headers());
    assert.deepEqual(metadata.clone().getMap(), expected.getMap());
  });

  it('builds for what only the entries hold: binary and transport keys, non-text values', () => {
    const binary = new RequestMetadata(HEADERS);
    assert.deepEqual(binary.get('trace-bin'), [Buffer.from([1, 2, 255])]);
    assert.equal(binary.built, true);
    const transport = new RequestMetadata(HEADERS);
    assert.deepEqual(transport.get('grpc-timeout'), []);
    assert.equal(transport.built, true);
    const buffer = new RequestMetadata(HEADERS);
    buffer.set('x-out-bin', Buffer.from('x'));
    assert.equal(buffer.built, true);
    assert.deepEqual(buffer.get('x-out-bin'), [Buffer.from('x')]);
  });

  it('merges like any Metadata, in both directions', () => {
    const into = new Metadata();
    into.merge(new RequestMetadata(HEADERS));
    assert.deepEqual(into.getMap(), reference().getMap());
    const from = new RequestMetadata(HEADERS);
    const extra = new Metadata();
    extra.set('x-extra', '1');
    from.merge(extra);
    assert.deepEqual(from.get('x-extra'), ['1']);
  });

  it('refuses what Metadata refuses', () => {
    const metadata = new RequestMetadata(HEADERS);
    assert.throws(() => metadata.set('x-bad', 'caf\u00e9'), /illegal characters/);
    assert.throws(() => metadata.set('Bad Key', 'v'), /illegal characters/);
  });
});
