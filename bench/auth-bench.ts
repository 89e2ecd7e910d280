// The auth stage's own cost per call, as a microbenchmark: the stage function
// TuskServer puts in its chain, called N times on a call carrying a bearer
// token (cached after its first verification) or an API key, against jose's
// jwtVerify of the same token with the same local key set (what every call
// would pay without the verified-token cache) and an empty async stage (the
// chain's await, the floor). One process, one run, interleaved rounds, so the
// ratios compare like with like.
//   node --conditions=tusk-source --import tsx bench/auth-bench.ts [--calls 200000] [--rounds 5]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { resolveDescriptor } from '../src/config/resolve-descriptor.js';
import { createAuthStage, hashApiKey } from '../src/security/auth/index.js';
import type { ServerCallInfo } from '../src/server/server-hooks.js';
import { createLogger } from '../src/telemetry/logger.js';
import { echoDescriptor } from '../test/helpers/echo-service.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } } });
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
/** Uncached verification is ~100x slower: fewer calls keep the round short. */
const RAW_CALLS = Math.max(1, Math.floor(CALLS / 50));

const dir = mkdtempSync(join(tmpdir(), 'tusk-auth-bench-'));
const { privateKey, publicKey } = await generateKeyPair('ES256');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256' }] };
writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
const API_KEY = 'bench-api-key-0123456789abcdef';
writeFileSync(join(dir, 'keys.json'), JSON.stringify([{ sha256: hashApiKey(API_KEY), subject: 'bench', scopes: ['echo:read'] }]));
const token = await new SignJWT({ scope: 'echo:read' }).setProtectedHeader({ alg: 'ES256', kid: 'bench' })
  .setIssuer('https://idp.bench/').setAudience('echo').setSubject('bench-user').setExpirationTime('1h').sign(privateKey);

const descriptor = echoDescriptor();
const config = resolveDescriptor({
  auth: { jwt: { issuer: 'https://idp.bench/', audience: ['echo'], jwks_file: join(dir, 'jwks.json'), algorithms: ['ES256'] }, api_keys: { file: join(dir, 'keys.json') }, default_scopes: ['echo:read'] },
}, null, descriptor.name);
const stage = createAuthStage([{ descriptor, config }], { logger: createLogger({ level: 'silent' }), recordRefusal: () => undefined })!;

function callWith(headers: Readonly<Record<string, string>>): ServerCallInfo {
  return {
    path: '/test.v1.EchoService/Echo', service: 'test.v1.EchoService', method: 'Echo', metadata: headers, peer: 'ipv4:127.0.0.1:1', deadline: undefined, requestId: 'r',
    header: (name) => headers[name], peerCertificate: () => undefined, setServerTrace: () => undefined,
  };
}
const jwtCall = callWith({ authorization: `Bearer ${token}` });
const keyCall = callWith({ 'x-api-key': API_KEY });
const keySet = createLocalJWKSet(jwks);
const verifyOptions = { issuer: 'https://idp.bench/', audience: 'echo', algorithms: ['ES256'] };

const variants: Record<string, { calls: number; run: () => Promise<unknown> | unknown }> = {
  'empty async stage (floor)': { calls: CALLS, run: async () => undefined },
  'auth stage, JWT (cached)': { calls: CALLS, run: () => stage.hook(jwtCall) },
  'auth stage, API key': { calls: CALLS, run: () => stage.hook(keyCall) },
  'jose jwtVerify, uncached': { calls: RAW_CALLS, run: () => jwtVerify(token, keySet, verifyOptions) },
};

const totals = new Map<string, { ns: number; calls: number }>();
await stage.hook(jwtCall); // warm the cache and the JIT
for (let round = 0; round < ROUNDS; round += 1) {
  const names = Object.keys(variants);
  for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
    const { calls, run } = variants[name]!;
    const started = performance.now();
    for (let index = 0; index < calls; index += 1) await run();
    const total = totals.get(name) ?? { ns: 0, calls: 0 };
    totals.set(name, { ns: total.ns + (performance.now() - started) * 1e6, calls: total.calls + calls });
  }
}
stage.close();
rmSync(dir, { recursive: true, force: true });

const floor = totals.get('empty async stage (floor)')!;
console.log(`| variant | calls | µs/call | over the floor, µs |\n| --- | ---: | ---: | ---: |`);
for (const [name, { ns, calls }] of totals) {
  const perCall = ns / calls / 1000;
  console.log(`| ${name} | ${calls} | ${perCall.toFixed(2)} | ${(perCall - floor.ns / floor.calls / 1000).toFixed(2)} |`);
}
