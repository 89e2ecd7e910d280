// The on-disk layout of the local provider: `<dir>/<service>/<host_port>.json`,
// each file holding the etcd contract value plus a heartbeat timestamp.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { OneLineError } from '../status/fatal.js';
import type { Endpoint } from './types.js';
import { decodeEndpointValue, ENDPOINT_OP_ADD, type EndpointValue } from './keys.js';

/** The contract value plus when its owner last proved to be alive (Unix ms). */
export interface LocalInstanceRecord extends EndpointValue {
  readonly HeartbeatUnixMs: number;
}

const INSTANCE_FILE_SUFFIX = '.json';
const TEMP_FILE_SUFFIX = '.tmp';

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
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_FILE_SUFFIX}`;
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** A local registry folder others could write to: anyone there could list endpoints that receive our calls. */
export class UnsafeRegistryFolderError extends OneLineError {
  constructor(dir: string, problem: string) {
    super(`local registry folder ${dir} ${problem}; use a folder only you can write (chmod 700) or set TUSK_REGISTRY_DIR`);
    this.name = 'UnsafeRegistryFolderError';
  }
}

/** Folders the registry creates: the owner alone may read and write them. */
export const PRIVATE_FOLDER_MODE = 0o700;

/** Creates the folder 0700 if missing; refuses one that another user owns or that group or others may write. */
export async function ensurePrivateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  const info = await stat(dir);
  if (!info.isDirectory()) throw new UnsafeRegistryFolderError(dir, 'is not a folder');
  if (process.platform === 'win32') return; // POSIX modes and uids mean nothing there
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) throw new UnsafeRegistryFolderError(dir, `belongs to another user (uid ${info.uid})`);
  if ((info.mode & 0o022) !== 0) throw new UnsafeRegistryFolderError(dir, `is writable by other users (mode ${(info.mode & 0o777).toString(8)})`);
}

/** How many TTLs an instance must have been silent before a reader deletes its file. */
export const PRUNE_AFTER_TTLS = 3;

export interface ReadInstancesResult {
  readonly endpoints: Endpoint[];
  /** Files that exist but are not valid records, for logging. */
  readonly invalidFiles: string[];
  /** Records (and writers' leftover temp files) silent for PRUNE_AFTER_TTLS TTLs: their processes are long dead. */
  readonly deadFiles: string[];
}

/** Deletes dead instances' files; another reader deleting them first is fine. */
export async function pruneFiles(dir: string, names: readonly string[]): Promise<void> {
  await Promise.all(names.map((name) => unlink(join(dir, name)).catch(() => undefined)));
}

/** The live instances in a service folder: valid records whose heartbeat is younger than the TTL. */
export async function readLiveInstances(dir: string, ttlMs: number, now: number): Promise<ReadInstancesResult> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { endpoints: [], invalidFiles: [], deadFiles: [] };
    throw error;
  }
  const endpoints: Endpoint[] = [];
  const invalidFiles: string[] = [];
  const deadFiles: string[] = [];
  const pruneBefore = now - PRUNE_AFTER_TTLS * ttlMs;
  await Promise.all(
    names.filter((name) => name.endsWith(TEMP_FILE_SUFFIX)).map(async (name) => {
      const modified = await stat(join(dir, name)).then((info) => info.mtimeMs, () => now);
      if (modified < pruneBefore) deadFiles.push(name);
    }),
  );
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
        else if (heartbeat < pruneBefore) deadFiles.push(name);
      }),
  );
  return { endpoints, invalidFiles, deadFiles };
}

function heartbeatOf(text: string): number | null {
  try {
    const value = (JSON.parse(text) as { HeartbeatUnixMs?: unknown }).HeartbeatUnixMs;
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}
