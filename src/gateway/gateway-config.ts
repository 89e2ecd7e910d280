import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { didYouMeanSuffix } from '../config/did-you-mean.js';
import { formatIssue, IssueList } from '../config/issues.js';
import { resolveValue } from '../config/resolve-value.js';
import { authSection } from '../config/schema-auth.js';
import { CORS_SECTION, GATEWAY_METHODS_SECTION, GATEWAY_SECTION, parseByteSize, RATE_LIMIT_SECTION } from '../config/schema-gateway.js';
import type { SectionSpec } from '../config/schema-types.js';
import type { AuthSection } from '../config/types.js';
import { validateValue } from '../config/validate-value.js';
import { OneLineError } from '../status/fatal.js';
import { parseTsk } from '../tsk/parser.js';
import { TskSyntaxError } from '../tsk/errors.js';
import { toRawValue } from '../tsk/raw.js';
import type { TskValue } from '../tsk/types.js';

/** A gateway .tsk's settings, resolved (`@env` read, defaults applied). */
export interface GatewaySettings {
  readonly port: number;
  readonly host: string;
  readonly maxBodyBytes: number;
  readonly maxTimeoutMs: number;
  /** Full service names; null = every service the gateway was given. */
  readonly services: readonly string[] | null;
  readonly emitZeroValues: boolean;
  /** Peers whose X-Forwarded-For is believed (addresses or CIDR blocks). */
  readonly trustedProxies: readonly string[];
  readonly policies: EdgePolicySettings;
}

/** The edge policies of a gateway .tsk; null = the section is absent (that policy is off). */
export interface EdgePolicySettings {
  readonly cors: CorsSettings | null;
  readonly rateLimit: RateLimitSettings | null;
  readonly auth: AuthSection | null;
  /** By method name (`GetItem`), as written under [methods]. */
  readonly methods: Readonly<Record<string, MethodEdgeSettings>>;
}

export interface CorsSettings {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAgeMs: number;
}

export interface LimitSettings {
  readonly requests: number;
  readonly windowMs: number;
}

export interface RateLimitSettings extends LimitSettings {
  readonly key: 'ip' | 'subject' | 'api_key';
  readonly store: 'memory' | 'redis';
  readonly redisUrl: string;
}

export interface MethodEdgeSettings {
  readonly public?: boolean;
  readonly scopes?: readonly string[];
  readonly rateLimit?: LimitSettings | null;
}

const SECTION_SPECS: Readonly<Record<string, SectionSpec>> = {
  gateway: GATEWAY_SECTION,
  cors: CORS_SECTION,
  rate_limit: RATE_LIMIT_SECTION,
  methods: GATEWAY_METHODS_SECTION,
  auth: authSection,
};
const SECTIONS = Object.keys(SECTION_SPECS);

/** Every problem of a gateway .tsk, one `file:line:col: message` line each. */
export class GatewayConfigError extends OneLineError {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'GatewayConfigError';
  }
}

/**
 * Reads and checks a gateway .tsk. With `knownServices` (what the gateway was
 * given), each name in `services` must be one of them, reported at its position.
 */
export function loadGatewayConfig(
  path: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd(), knownServices?: readonly string[], knownMethods?: readonly string[],
): GatewaySettings {
  const relativePath = relative(cwd, path);
  const shown = relativePath.startsWith('..') || isAbsolute(relativePath) ? path : relativePath;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatewayConfigError([`${shown}: cannot read the gateway descriptor: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  let doc;
  try {
    doc = parseTsk(text, shown);
  } catch (error) {
    if (error instanceof TskSyntaxError) throw new GatewayConfigError([`${error.file}:${error.line}:${error.column}: ${error.reason}`]);
    throw error;
  }
  const issues = new IssueList();
  for (const entry of doc.root.entries) issues.add(entry.keyPos, `key ${JSON.stringify(entry.key)} is outside any section: move it under [gateway]`);
  for (const section of doc.sections) {
    const spec = SECTION_SPECS[section.key];
    if (spec === undefined) {
      issues.add(section.keyPos, `unknown section [${section.key}]${didYouMeanSuffix(section.key, SECTIONS).replace(/"([^"]+)"/, '[$1]')}; a gateway descriptor has ${SECTIONS.map((name) => `[${name}]`).join(', ')}`);
      continue;
    }
    validateValue(spec, section.value, { section: section.key, path: [] }, issues, false, section.keyPos);
    if (section.key === 'gateway' && knownServices !== undefined) checkServiceNames(section.value, knownServices, issues);
    if (section.key === 'methods' && knownMethods !== undefined) checkMethodNames(section.value, knownMethods, issues);
    if (section.key === 'auth') refuseMtls(section.value, issues);
  }
  if (issues.issues.length > 0) throw new GatewayConfigError(issues.sorted().map(formatIssue));
  const resolve = <T>(key: string): T => {
    const section = doc.sections.find((candidate) => candidate.key === key);
    const raw = section === undefined ? undefined : toRawValue(section.value, true);
    return resolveValue(SECTION_SPECS[key]!, raw, { section: key, path: [] }, { source: shown, env }, false) as T;
  };
  const has = (key: string): boolean => doc.sections.some((candidate) => candidate.key === key);
  const resolved = resolve<{
    port: number; host: string; maxBody: string; maxTimeoutMs: number; services: string[] | null; emitZeroValues: boolean; trustedProxies: string[];
  }>('gateway');
  return {
    port: resolved.port,
    host: resolved.host,
    // The key's check ran on the value (an @env one too), so it parses.
    maxBodyBytes: parseByteSize(resolved.maxBody)!,
    maxTimeoutMs: resolved.maxTimeoutMs,
    services: resolved.services,
    emitZeroValues: resolved.emitZeroValues,
    trustedProxies: resolved.trustedProxies,
    policies: {
      cors: has('cors') ? resolve<CorsSettings>('cors') : null,
      rateLimit: has('rate_limit') ? resolve<RateLimitSettings>('rate_limit') : null,
      auth: has('auth') ? resolve<AuthSection>('auth') : null,
      methods: resolve<Record<string, MethodEdgeSettings>>('methods'),
    },
  };
}

function checkMethodNames(methods: TskValue, known: readonly string[], issues: IssueList): void {
  if (methods.kind !== 'object') return;
  for (const entry of methods.entries) {
    if (!known.includes(entry.key)) issues.add(entry.keyPos, `unknown method ${JSON.stringify(entry.key)} in [methods]${didYouMeanSuffix(entry.key, known)}: no service of the gateway has it`);
  }
}

/** The gateway speaks plain HTTP (TLS ends before it), so no client certificate ever reaches it. */
function refuseMtls(auth: TskValue, issues: IssueList): void {
  const mtls = auth.kind === 'object' ? auth.entries.find((entry) => entry.key === 'mtls') : undefined;
  if (mtls !== undefined) issues.add(mtls.keyPos, '[auth] mtls is not available at the gateway: it serves plain HTTP and never sees a client certificate (use jwt or api_keys)');
}

function checkServiceNames(gateway: TskValue, known: readonly string[], issues: IssueList): void {
  const services = gateway.kind === 'object' ? gateway.entries.find((entry) => entry.key === 'services')?.value : undefined;
  if (services?.kind !== 'array') return;
  for (const item of services.items) {
    if (item.kind === 'string' && !known.includes(item.value)) {
      issues.add(item.pos, `[gateway] services: ${JSON.stringify(item.value)} is not among the gateway's services${didYouMeanSuffix(item.value, known)} (${known.join(', ')})`);
    }
  }
}
