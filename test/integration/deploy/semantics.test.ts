// What the generated manifests mean, checked on deploy's real output over the
// examples: schemas, probes against the health names a real TuskServer
// registers, grace periods, selectors, named ports, API versions, the
// NetworkPolicy and AuthorizationPolicy against [dependencies], and Istio
// retries only on idempotent methods.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveDescriptor } from '../../../src/config/index.js';
import { parseTsk, toRawDocument } from '../../../src/tsk/index.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { UserService } from '../../../examples/user-service/user-service.js';
import { OrderService } from '../../../examples/order-service/order-service.js';
import { validateManifest, type Manifest } from '../../../generator/deploy/index.js';
import { removeDir } from '../generator/cli-harness.js';
import { checkHealth, healthClient } from '../server/health-client.js';
import { byKind, copyExamplesWorkspace, readManifests, runDeployCli } from './deploy-harness.js';

type Objects = Map<string, Record<string, any>>;
const SERVICES = ['user-service', 'order-service', 'notification-service', 'payment-service'] as const;

let dir = '';
let plain: Objects;
let istio: Objects;

before(async () => {
  dir = await copyExamplesWorkspace();
  for (const [out, args] of [['plain', []], ['istio', ['--mesh', 'istio', '--namespace', 'shop']]] as const) {
    const result = await runDeployCli(dir, '--out', out, ...args);
    assert.equal(result.code, 0, result.stderr);
  }
  plain = await readManifests(join(dir, 'plain'));
  istio = await readManifests(join(dir, 'istio'));
});

after(async () => {
  if (dir) await removeDir(dir);
});

const container = (objects: Objects, folder: string) => byKind(objects, folder).Deployment!.spec.template.spec.containers[0];
const envOf = (objects: Objects, folder: string): Record<string, string> =>
  Object.fromEntries(container(objects, folder).env.filter((entry: any) => 'value' in entry).map((entry: any) => [entry.name, entry.value]));

describe('every object', () => {
  test('passes its schema (kubernetes-models, @kubernetes-models/istio) as read back from disk', async () => {
    let count = 0;
    for (const objects of [plain, istio]) {
      for (const manifest of objects.values()) {
        if (manifest.kind === 'Kustomization') continue;
        await validateManifest(manifest as Manifest);
        count++;
      }
    }
    assert.equal(count, SERVICES.length * (6 + 10));
  });

  test('uses no deprecated or beta API version', () => {
    const allowed = new Set(['apps/v1', 'v1', 'policy/v1', 'autoscaling/v2', 'networking.k8s.io/v1', 'networking.istio.io/v1', 'security.istio.io/v1', 'kustomize.config.k8s.io/v1beta1']);
    for (const objects of [plain, istio]) {
      for (const [file, manifest] of objects) assert.ok(allowed.has(manifest.apiVersion), `${file}: ${manifest.apiVersion}`);
    }
    assert.ok([...istio.values()].some((manifest) => manifest.apiVersion === 'autoscaling/v2'), 'the HPA is autoscaling/v2, not v2beta2');
  });

  test('kustomization.yaml lists every object of its folder, and the top one every service', () => {
    for (const folder of SERVICES) {
      const listed = istio.get(`${folder}/kustomization.yaml`)!.resources as string[];
      const present = [...istio.keys()].filter((file) => file.startsWith(`${folder}/`) && !file.endsWith('kustomization.yaml')).map((file) => file.slice(folder.length + 1));
      assert.deepEqual([...listed].sort(), present.sort());
    }
    assert.deepEqual(istio.get('kustomization.yaml')!.resources, ['notification-service', 'order-service', 'payment-service', 'user-service']);
  });
});

describe('the Deployment', () => {
  test('probes name the health service a real TuskServer registers, on the port it binds with the pod env', async () => {
    for (const [folder, make] of [['user-service', () => new UserService()], ['order-service', () => new OrderService()]] as const) {
      const probes = container(plain, folder);
      const names = ['startupProbe', 'readinessProbe', 'livenessProbe'].map((probe) => probes[probe].grpc.service as string);
      assert.equal(new Set(names).size, 1, `${folder}: the three probes agree`);
      // The pod's env (ports, host, discovery) as the process would read it; etcd itself is not there, so a static registry.
      const hosted = make();
      const server = new TuskServer({ host: '127.0.0.1', port: 0, registry: new StaticRegistry([]), handleSignals: false, env: { ...envOf(plain, folder), TUSK_ADVERTISE_HOST: '127.0.0.1' } });
      server.add(hosted);
      await server.start();
      const client = healthClient(`127.0.0.1:${server.port}`);
      try {
        assert.equal(await checkHealth(client, names[0]!), 'SERVING', `${folder}: health of ${names[0]}`);
      } finally {
        client.close();
        await server.stop();
      }
      const tsk = `proto/${folder.replace('-service', '')}/v1/${folder.replace('-service', '')}.tsk`;
      const raw = toRawDocument(parseTsk(await readFile(join(dir, tsk), 'utf8'), tsk));
      const resolved = resolveDescriptor(raw, tsk, names[0]!, envOf(plain, folder));
      assert.equal(probes.startupProbe.grpc.port, resolved.service.port, `${folder}: the probe's port is the one the process binds`);
      assert.equal(resolved.service.host, '0.0.0.0', `${folder}: bound on every interface of the pod`);
    }
  });

  test('the termination grace period exceeds drain delay plus shutdown grace', async () => {
    for (const folder of SERVICES) {
      const spec = byKind(plain, folder).Deployment!.spec.template.spec;
      // Both examples: shutdown_grace 10s, drain_delay null = etcd's 1s.
      assert.ok(spec.terminationGracePeriodSeconds > 11, `${folder}: ${spec.terminationGracePeriodSeconds}`);
    }
  });

  test('runs non-root, read-only, without capabilities; advertises the pod IP', () => {
    for (const folder of SERVICES) {
      const deployment = byKind(plain, folder).Deployment!;
      const c = container(plain, folder);
      assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
      assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
      assert.deepEqual(c.env.find((entry: any) => entry.name === 'TUSK_ADVERTISE_HOST').valueFrom, { fieldRef: { fieldPath: 'status.podIP' } });
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory, 'resource requests');
      assert.equal(deployment.spec.template.spec.topologySpreadConstraints.length, 2);
    }
  });

  test('discovery env: etcd without a mesh; static, with the callee Service and one tusk attempt, in the mesh', () => {
    assert.equal(envOf(plain, 'user-service').TUSK_DISCOVERY, 'etcd');
    assert.equal(envOf(plain, 'user-service').TUSK_ETCD_ENDPOINTS, 'etcd:2379');
    const inMesh = envOf(istio, 'order-service');
    assert.equal(inMesh.TUSK_DISCOVERY, 'static');
    assert.equal(inMesh.USERS_DISCOVERY, 'static');
    assert.equal(inMesh.USERS_ENDPOINTS, 'user-service.shop.svc.cluster.local:50051');
    assert.equal(inMesh.USERS_MAX_ATTEMPTS, '1');
  });
});

test('selectors match the pod labels', () => {
  for (const objects of [plain, istio]) {
    for (const folder of SERVICES) {
      const kinds = byKind(objects, folder);
      const labels = kinds.Deployment!.spec.template.metadata.labels as Record<string, string>;
      const matches = (selector: Record<string, string>, what: string) => {
        assert.ok(Object.keys(selector).length > 0, `${folder} ${what}: empty selector`);
        for (const [key, value] of Object.entries(selector)) assert.equal(labels[key], value, `${folder} ${what}: ${key}`);
      };
      matches(kinds.Deployment!.spec.selector.matchLabels, 'Deployment');
      matches(kinds.Service!.spec.selector, 'Service');
      matches(kinds.PodDisruptionBudget!.spec.selector.matchLabels, 'PodDisruptionBudget');
      matches(kinds.NetworkPolicy!.spec.podSelector.matchLabels, 'NetworkPolicy');
      for (const spread of kinds.Deployment!.spec.template.spec.topologySpreadConstraints) matches(spread.labelSelector.matchLabels, 'topology spread');
      assert.equal(kinds.HorizontalPodAutoscaler!.spec.scaleTargetRef.name, kinds.Deployment!.metadata.name);
      assert.equal(kinds.Deployment!.spec.template.spec.serviceAccountName, kinds.ServiceAccount!.metadata.name);
      if (objects === istio) {
        matches(kinds.PeerAuthentication!.spec.selector.matchLabels, 'PeerAuthentication');
        matches(kinds.AuthorizationPolicy!.spec.selector.matchLabels, 'AuthorizationPolicy');
      }
    }
  }
});

test('every port is named, and every Service port has an appProtocol (grpc for grpc)', () => {
  for (const folder of SERVICES) {
    const kinds = byKind(plain, folder);
    const containerPorts = container(plain, folder).ports as { name?: string; containerPort: number }[];
    for (const port of containerPorts) assert.ok(port.name, `${folder}: container port ${port.containerPort} unnamed`);
    for (const port of kinds.Service!.spec.ports) {
      assert.ok(port.name && port.appProtocol, `${folder}: ${JSON.stringify(port)}`);
      assert.ok(containerPorts.some((candidate) => candidate.name === port.targetPort), `${folder}: targetPort ${port.targetPort}`);
    }
    assert.equal(kinds.Service!.spec.ports.find((port: any) => port.name === 'grpc').appProtocol, 'grpc');
  }
  assert.deepEqual(container(plain, 'order-service').ports.map((port: any) => port.name), ['grpc', 'metrics']);
});

test('the NetworkPolicy admits exactly the services whose [dependencies] list this one', () => {
  const fromPods = (folder: string) => byKind(plain, folder).NetworkPolicy!.spec.ingress
    .flatMap((rule: any) => rule.from ?? [])
    .filter((peer: any) => peer.podSelector)
    .map((peer: any) => peer.podSelector.matchLabels['app.kubernetes.io/name']);
  // order.tsk: [dependencies] users { service: "user.v1.UserService" }; nothing depends on the order service.
  assert.deepEqual(fromPods('user-service'), ['order-service']);
  assert.deepEqual(fromPods('order-service'), []);
  const orderRules = byKind(plain, 'order-service').NetworkPolicy!.spec.ingress;
  for (const rule of orderRules) {
    if (rule.from === undefined) assert.deepEqual(rule.ports, [{ protocol: 'TCP', port: 'metrics' }], 'only the metrics port is open to all');
  }
});

test('the AuthorizationPolicy allows the callers\' service-account principals', () => {
  const principals = (folder: string) => byKind(istio, folder).AuthorizationPolicy!.spec.rules.flatMap((rule: any) => rule.from ?? []).flatMap((from: any) => from.source.principals);
  assert.deepEqual(principals('user-service'), ['cluster.local/ns/shop/sa/order-service']);
  assert.deepEqual(principals('order-service'), ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account']);
  assert.equal(byKind(istio, 'user-service').PeerAuthentication!.spec.mtls.mode, 'STRICT');
});

test('Istio retries appear only on idempotent methods, within their timeout', () => {
  // user.tsk: GetUser and ListUsers idempotent; CreateUser and ImportUsers not.
  const routes = byKind(istio, 'user-service').VirtualService!.spec.http as any[];
  const retried = routes.filter((route) => route.retries.attempts > 0).map((route) => route.name);
  assert.deepEqual(retried.sort(), ['GetUser', 'ListUsers', 'order-service-GetUser', 'order-service-ListUsers']);
  for (const name of ['CreateUser', 'ImportUsers', 'default', 'order-service-CreateUser', 'order-service-ImportUsers']) {
    assert.deepEqual(routes.find((route) => route.name === name).retries, { attempts: 0 }, name);
  }
  // order.tsk's [dependencies] users { timeout: "500ms" } applies to the order service's calls only, as its tusk client would.
  const fromOrders = routes.filter((route) => route.name.startsWith('order-service-'));
  assert.equal(fromOrders.length, 4);
  for (const route of fromOrders) {
    assert.deepEqual(route.match[0].sourceLabels, { 'app.kubernetes.io/name': 'order-service' }, route.name);
    assert.equal(route.timeout, '0.5s', route.name);
  }
  assert.ok(routes.findIndex((route) => route.name === 'GetUser') > routes.findIndex((route) => route.name === 'order-service-GetUser'), 'the caller\'s routes come first');
  const getUser = routes.find((route) => route.name === 'GetUser');
  assert.equal(getUser.timeout, '0.3s');
  assert.equal(getUser.match[0].uri.exact, '/user.v1.UserService/GetUser');
  const perTryMs = Math.round(parseFloat(getUser.retries.perTryTimeout) * 1000);
  assert.ok(perTryMs * (getUser.retries.attempts + 1) <= 300, `every try fits in GetUser's 300ms: ${perTryMs}ms x ${getUser.retries.attempts + 1}`);
  const rule = byKind(istio, 'order-service').DestinationRule!.spec.trafficPolicy;
  assert.deepEqual(rule.loadBalancer, { simple: 'ROUND_ROBIN' }, 'order.tsk: balancer round_robin');
  assert.deepEqual(byKind(istio, 'user-service').DestinationRule!.spec.trafficPolicy.loadBalancer, { simple: 'LEAST_REQUEST' }, 'user.tsk: p2c_ewma');
  assert.equal(byKind(istio, 'user-service').DestinationRule!.spec.trafficPolicy.outlierDetection.consecutiveGatewayErrors, 5, 'user.tsk: threshold 5');
});
