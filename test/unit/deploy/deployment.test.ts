// The Deployment builder on in-memory targets: TLS from a mounted Secret with
// the contract variables, the probes it forces, and the grace period.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployment, terminationGraceSeconds } from '../../../generator/deploy/deployment.js';
import { validateManifest } from '../../../generator/deploy/index.js';
import { SERVICE, target } from './target-fixture.js';

const containerOf = (manifest: ReturnType<typeof deployment>) => manifest.spec!.template.spec!.containers[0]!;

test('tls_secret mounts the Secret read-only and names its files with TUSK_TLS_*; probes move to the metrics /healthz', async () => {
  const manifest = deployment(target({ deploy: { tls_secret: 'cart-tls', tls_client_auth: 'require' } }, { metricsPort: 9464 }));
  await validateManifest(manifest);
  const container = containerOf(manifest);
  const env = Object.fromEntries(container.env!.map((entry) => [entry.name, entry.value]));
  assert.equal(env.TUSK_TLS_CERT, '/etc/tusk/tls/tls.crt');
  assert.equal(env.TUSK_TLS_KEY, '/etc/tusk/tls/tls.key');
  assert.equal(env.TUSK_TLS_CA, '/etc/tusk/tls/ca.crt');
  assert.equal(env.TUSK_TLS_CLIENT_AUTH, 'require');
  assert.deepEqual(container.volumeMounts!.find((mount) => mount.name === 'tls'), { name: 'tls', mountPath: '/etc/tusk/tls', readOnly: true });
  assert.equal(manifest.spec!.template.spec!.volumes!.find((volume) => volume.name === 'tls')!.secret!.secretName, 'cart-tls');
  // The kubelet's gRPC probe speaks plaintext only.
  assert.deepEqual(container.readinessProbe!.httpGet, { path: '/healthz', port: 'metrics' });
  assert.equal(container.readinessProbe!.grpc, undefined);
});

test('without TLS: no TLS variables, and gRPC probes with the service name', () => {
  const container = containerOf(deployment(target({})));
  assert.equal(container.env!.some((entry) => entry.name.startsWith('TUSK_TLS_')), false);
  assert.deepEqual(container.livenessProbe!.grpc, { port: 50051, service: SERVICE });
});

test('the grace period covers the drain delay and the shutdown grace, rounded up, plus a margin', () => {
  assert.equal(terminationGraceSeconds(target({ server: { shutdown_grace: '30s', drain_delay: '2.5s' } }, { drainMs: 2500 })), 38);
  assert.equal(terminationGraceSeconds(target({})), 16); // defaults: 10s grace, 1s (etcd) drain
});
