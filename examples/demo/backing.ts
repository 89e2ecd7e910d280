// What the demo's registry and its events run on: a private folder by
// default (nothing to install), or a real engine (etcd, NATS) when its
// selector variable asks for it — the one its endpoints variable names, else
// a private one started from a binary found on this machine.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface DemoBacking {
  /** Environment for every demo process (services and the demo's own clients). */
  readonly env: Readonly<Record<string, string>>;
  /** One line saying what is used. */
  readonly description: string;
  stop(): Promise<void>;
}

export interface BackingChoice {
  /** TUSK_DISCOVERY, TUSK_EVENTS: "local" (the default) or `engine`. */
  readonly selector: string;
  /** The environment of the local folder, and its line ("local registry folder /tmp/..."). */
  readonly local: { readonly env: Readonly<Record<string, string>>; readonly description: string };
  /** The selector's other value, e.g. "etcd", "nats". */
  readonly engine: string;
  /** For messages: "etcd", "NATS JetStream". */
  readonly engineLabel: string;
  /** TUSK_ETCD_ENDPOINTS, TUSK_NATS_SERVERS: a running engine to use as is. */
  readonly endpointsVariable: string;
  /** The executable started for a private engine, and folders to look in after PATH. */
  readonly binary: { readonly name: string; readonly alsoIn?: readonly string[] };
  /** Starts a private engine on free loopback ports; destroy() stops it and removes its data. */
  start(binary: string): Promise<{ readonly endpoint: string; destroy(): Promise<void> }>;
}

export async function chooseBacking(choice: BackingChoice): Promise<DemoBacking> {
  const provider = process.env[choice.selector] || 'local';
  if (provider === 'local') return { ...choice.local, stop: async () => {} };
  if (provider !== choice.engine) throw new Error(`${choice.selector}=${provider}: the demo runs on "local" or "${choice.engine}"`);
  const engineEnv = (endpoint: string) => ({ [choice.selector]: choice.engine, [choice.endpointsVariable]: endpoint });
  const given = process.env[choice.endpointsVariable];
  if (given) return { env: engineEnv(given), description: `${choice.engineLabel} at ${given}`, stop: async () => {} };

  const binary = findBinary(choice.binary.name, choice.binary.alsoIn);
  if (!binary) throw new Error(`${choice.selector}=${choice.engine} needs ${choice.endpointsVariable}, or a ${choice.binary.name} binary on PATH for a private one`);
  const engine = await choice.start(binary);
  return { env: engineEnv(engine.endpoint), description: `a private ${choice.engineLabel} (${binary}) at ${engine.endpoint}`, stop: () => engine.destroy() };
}

/** The executable `name` from PATH, else from `alsoIn`; undefined when there is none. */
function findBinary(name: string, alsoIn: readonly string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...alsoIn]) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}
