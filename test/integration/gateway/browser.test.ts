// test: runs alone (a headless chromium takes most of both cores while it starts; see test/helpers/run-alone.ts)
// A real browser: a page served from another origin (a second tiny HTTP server on loopback) calls the service
// through the gateway in headless chromium, over REST and Connect, and writes what it got into the DOM. A
// Connect POST with content-type application/json needs a preflight, so CORS is proven where it matters; a
// gateway that does not list the page's origin is refused by the browser itself.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dumpDom } from '../../helpers/browser.js';
import { calls, generateEdgeCatalog, type Backend, type Catalog } from './edge-fixture.js';

let dir: string;
let catalog: Catalog;
let backend: Backend;
let page: Server;
let pageOrigin: string;

/** The page: its script calls the gateways and writes one JSON line into #result. */
function pageHtml(allowing: string, refusing: string): string {
  const script = `
    const out = {};
    const read = async (response) => ({ status: response.status, body: await response.json(), remaining: response.headers.get('ratelimit-remaining') });
    (async () => {
      try {
        out.rest = await read(await fetch(${JSON.stringify(allowing)} + '/v1/items/browser-1?view=full'));
        out.connect = await read(await fetch(${JSON.stringify(allowing)} + '/fixture.gateway.v1.CatalogService/Echo', {
          method: 'POST', headers: { 'content-type': 'application/json', 'connect-protocol-version': '1' },
          body: JSON.stringify({ sku: 'from-the-page', stock: '9007199254740993', tags: ['x'] }),
        }));
        try {
          await fetch(${JSON.stringify(refusing)} + '/fixture.gateway.v1.CatalogService/Echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
          out.refused = 'readable';
        } catch (error) {
          out.refused = error.name;
        }
      } catch (error) {
        out.error = String(error);
      }
      document.getElementById('result').textContent = JSON.stringify(out);
    })();`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>tusk gateway page</title></head><body><pre id="result">pending</pre><script>${script}</script></body></html>`;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-gateway-browser-'));
  catalog = await generateEdgeCatalog();
  backend = await catalog.backend();
  page = createServer();
  page.listen(0, '127.0.0.1');
  await once(page, 'listening');
  pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  const allowingConfig = join(dir, 'allowing.tsk');
  await writeFile(allowingConfig, `[cors]\nallow_origins: ["${pageOrigin}"]\n\n[rate_limit]\nrequests: 100\nwindow: "60s"\n`);
  const refusingConfig = join(dir, 'refusing.tsk');
  await writeFile(refusingConfig, '[cors]\nallow_origins: ["http://somewhere.else.test"]\n');
  const allowing = (await backend.gateway({ config: allowingConfig })).base;
  const refusing = (await backend.gateway({ config: refusingConfig })).base;
  const html = pageHtml(allowing, refusing);
  page.on('request', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
});
after(async () => {
  page?.closeAllConnections();
  page?.close();
  await catalog?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

test('headless chromium on another origin calls the service through the gateway over REST and Connect', async () => {
  const before = calls(backend);
  const dom = await dumpDom(`${pageOrigin}/`, { timeoutMs: 60_000 });
  const text = /<pre id="result">([^<]*)<\/pre>/.exec(dom)?.[1];
  assert.ok(text !== undefined && text !== 'pending', `the page wrote no result:\n${dom.slice(0, 2000)}`);
  const result = JSON.parse(text.replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
  assert.equal(result.error, undefined);
  assert.equal(result.rest.status, 200);
  assert.deepEqual({ sku: result.rest.body.sku, displayName: result.rest.body.displayName }, { sku: 'browser-1', displayName: 'view:full' });
  assert.equal(result.rest.remaining, '99', 'the page reads the exposed RateLimit-Remaining');
  assert.equal(result.connect.status, 200);
  assert.equal(result.connect.body.sku, 'from-the-page');
  assert.equal(result.connect.body.stock, '9007199254740993');
  assert.deepEqual(result.connect.body.tags, ['x']);
  assert.equal(result.refused, 'TypeError', 'the browser must refuse to read an answer for an origin not listed');
  assert.equal(calls(backend), before + 2, 'the refused origin\'s preflight reached a handler');
});
