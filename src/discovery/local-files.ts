// The on-disk layout of the local provider: `<dir>/<service>/<host_port>.json`,
// each file holding the etcd contract value plus a heartbeat timestamp.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Endpoint } from './types.js';
import { decodeEndpointValue, ENDPOINT_OP_ADD, type EndpointValue } from './keys.js';

/** The contract value plus when its owner last proved to be alive (Unix ms). */
export interface LocalInstanceRecord extends EndpointValue {
  readonly HeartbeatUnixMs: number;
}

const INSTANCE_FILE_SUFFIX = '.json';

/** Per user, so two users of one machine never share (or can tamper with) each other's registry. */
export function defaultLocalRegistryDir(): string {
  return join(tmpdir(), `tusk-grpc-registry-${process.getuid?.() ?? userInfo().username}`);
}

/** Keeps file names portable: "127.0.0.1:50051" -> "127.0.0.1_50051". */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function serviceDir(rootDir: string, service: string): string {
  return join(rootDir, safeName(service));
}

export function instanceFile(rootDir: string, service: string, address: string): string {
  return join(serviceDir(rootDir, service), safeName(address) + INSTANCE_FILE_SUFFIX);
}

export function instanceRecord(address: string, metadata: Readonly<Record<string, unknown>>, now: number): LocalInstanceRecord {
  return { Op: ENDPOINT_OP_ADD, Addr: address, Metadata: metadata, HeartbeatUnixMs: now };
}

/** Temp file + rename: readers in other processes never see half a file. */
export async function writeFileAtomically(path: string, content: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export interface ReadInstancesResult {
  readonly endpoints: Endpoint[];
  /** Files that exist but are not valid records, for logging. */
  readonly invalidFiles: string[];
}

/** The live instances in a service folder: valid records whose heartbeat is younger than the TTL. */
export async function readLiveInstances(dir: string, ttlMs: number, now: number): Promise<ReadInstancesResult> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { endpoints: [], invalidFiles: [] };
    throw error;
  }
  const endpoints: Endpoint[] = [];
  const invalidFiles: string[] = [];
  await Promise.all(
    names
      .filter((name) => name.endsWith(INSTANCE_FILE_SUFFIX))
      .map(async (name) => {
        let text: string;
        try {
          text = await readFile(join(dir, name), 'utf8');
        } catch {
          return; // removed between readdir and read: deregistered
        }
        const endpoint = decodeEndpointValue(text);
        const heartbeat = heartbeatOf(text);
        if (!endpoint || heartbeat === null) {
          invalidFiles.push(name);
          return;
        }
        if (now - heartbeat <= ttlMs) endpoints.push(endpoint);
      }),
  );
  return { endpoints, invalidFiles };
}

function heartbeatOf(text: string): number | null {
  try {
    const value = (JSON.parse(text) as { HeartbeatUnixMs?: unknown }).HeartbeatUnixMs;
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}
