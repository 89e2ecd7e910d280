import type { RawValue } from '../../src/config/index.js';
import type { LocatedIssue } from '../errors.js';
import { serviceHost } from './istio/virtual-service.js';
import { envVariable, rawAt, type DeployTarget } from './target.js';

type EnvVar = { readonly name: string; readonly value: string };

/**
 * How each deployed service's clients find the deployed services it calls.
 * A descriptor cannot know the cluster, so the keys deploy must set are
 * written as `@env("NAME", default)` in the caller's [dependencies] entry, and
 * deploy gives NAME its value in the caller's pods:
 * - with --mesh istio, the mesh balances: `discovery.provider` → "static" and
 *   `discovery.endpoints` → the callee's Service (`name.ns.svc.cluster.local:port`);
 *   the mesh retries too (VirtualService), so `retry.max_attempts` → 1, lest
 *   attempts multiply (3 tusk attempts × 3 Istio tries = 9 calls).
 * - without a mesh: `discovery.provider` → "etcd" and `discovery.endpoints` → the etcd cluster.
 * A key that must change but is a literal is an error at its place.
 */
export function wireDependencies(targets: readonly DeployTarget[], mesh: 'istio' | undefined, issues: LocatedIssue[]): DeployTarget[] {
  return targets.map((target) => {
    const env: EnvVar[] = [...target.env];
    const set = (name: string, value: string): void => {
      env.push({ name, value });
    };
    for (const [alias, policy] of Object.entries(target.config.dependencies).map(([, entry]) => [entry.alias, entry] as const)) {
      const callee = targets.find((other) => other.service === policy.service);
      if (callee === undefined) continue; // deployed elsewhere: its address is the caller's own business
      const at = (...keys: string[]): string[] => ['dependencies', alias, ...keys];
      const variable = (...keys: string[]): string | undefined => envVariable(target.raw, ...at(...keys));
      const literal = (...keys: string[]): RawValue | undefined => rawAt(target.raw, at(...keys));
      if (mesh === 'istio') {
        const address = `${serviceHost(callee)}:${callee.grpcPort}`;
        // A null default leaves the key unwritten outside Kubernetes: the callee's own [discovery] applies there.
        const how = `write discovery { provider: @env("${envName(alias)}_DISCOVERY", null), endpoints: @env("${envName(alias)}_ENDPOINTS", null) } in [dependencies] ${alias}, which deploy sets to static and ${address}`;
        const provider = variable('discovery', 'provider');
        if (provider !== undefined) set(provider, 'static');
        else if (literal('discovery', 'provider') !== 'static') issues.push(target.issueAt(at('discovery', 'provider'), `in the mesh, ${target.service} must dial ${policy.service} through its Service (the mesh balances): ${how}`));
        const endpoints = variable('discovery', 'endpoints');
        if (endpoints !== undefined) set(endpoints, address);
        else if (provider !== undefined || literal('discovery', 'provider') === 'static') {
          const written = literal('discovery', 'endpoints');
          if (!(Array.isArray(written) ? written.length === 1 && written[0] === address : written === address)) {
            issues.push(target.issueAt(at('discovery', 'endpoints'), `in the mesh, the endpoint of ${policy.service} is its Service ${address}: ${how}`));
          }
        }
        const attempts = policy.retry?.maxAttempts ?? callee.config.client.retry.maxAttempts;
        const attemptsVariable = variable('retry', 'max_attempts');
        if (attemptsVariable !== undefined) set(attemptsVariable, '1');
        else if (attempts > 1) {
          issues.push(target.issueAt(at('retry', 'max_attempts'), `in the mesh, Istio retries ${policy.service}'s idempotent methods as its descriptor says; ${target.service}'s client would retry each of those tries too (${attempts} attempts): write retry { max_attempts: @env("${envName(alias)}_MAX_ATTEMPTS", ${attempts}) } in [dependencies] ${alias}, which deploy sets to 1`));
        }
      } else {
        const provider = variable('discovery', 'provider');
        if (provider !== undefined) set(provider, 'etcd');
        const endpoints = variable('discovery', 'endpoints');
        if (endpoints !== undefined) set(endpoints, target.deploy.etcdEndpoints.join(','));
      }
    }
    for (const [name, value] of Object.entries(target.deploy.env)) set(name, String(value));
    return { ...target, env: withoutConflicts(target, env, issues) };
  });
}

/** "users" → "USERS", "billingApi" → "BILLING_API": the variable names suggested in messages. */
function envName(alias: string): string {
  return alias.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/** One value per variable: the same variable asked two values is the author's to sort out, never a silent pick. */
function withoutConflicts(target: DeployTarget, env: readonly EnvVar[], issues: LocatedIssue[]): EnvVar[] {
  const seen = new Map<string, string>();
  const out: EnvVar[] = [];
  for (const entry of env) {
    const previous = seen.get(entry.name);
    if (previous === undefined) {
      seen.set(entry.name, entry.value);
      out.push(entry);
    } else if (previous !== entry.value) {
      issues.push(target.issueAt(['deploy', 'env', entry.name], `${entry.name} would be both ${JSON.stringify(previous)} and ${JSON.stringify(entry.value)} in the pods of ${target.name}: each @env deploy sets needs its own variable`));
    }
  }
  return out;
}
