// The `local` provider of VersionedStore (development only, one machine):
//   <dir>/<name>/<storage key>/<revision>.json
// A write of revision n+1 is a temp file hard-linked to its final name: link(2)
// fails when the name exists, so of two writers of n+1 exactly one wins, and a
// reader never sees half a file. Revisions are contiguous, so the highest file
// is the current value.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FOLDER_MODE } from '../discovery/local-files.js';
import { ensurePrivateEventsFolder } from '../events/local-store.js';
import { keyFromStorage, storageKey, type VersionedEntry, type VersionedStore } from './versioned-store.js';

const REVISION_DIGITS = 12;
const revisionFile = (revision: number): string => `${String(revision).padStart(REVISION_DIGITS, '0')}.json`;

export class FolderVersionedStore implements VersionedStore {
  readonly root: string;
  private constructor(root: string) {
    this.root = root;
  }

  /** `dir` is the `[events] dir`: it must be private (see ensurePrivateEventsFolder). */
  static async open(dir: string, name: string): Promise<FolderVersionedStore> {
    await ensurePrivateEventsFolder(dir);
    const root = join(dir, name);
    await mkdir(root, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    return new FolderVersionedStore(root);
  }

  async get(key: string): Promise<VersionedEntry | undefined> {
    const keyDir = join(this.root, storageKey(key));
    // A writer may prune the file we listed before we read it: list again.
    for (let tries = 0; tries < 5; tries += 1) {
      const revision = await this.#latestRevision(keyDir);
      if (revision === 0) return undefined;
      const value = await readFile(join(keyDir, revisionFile(revision)), 'utf8').catch(() => undefined);
      if (value !== undefined) return { value, revision };
    }
    return undefined;
  }

  create(key: string, value: string): Promise<number | undefined> {
    return this.#write(key, value, 1);
  }

  update(key: string, value: string, revision: number): Promise<number | undefined> {
    return this.#write(key, value, revision + 1);
  }

  async keys(): Promise<string[]> {
    return (await readdir(this.root).catch(() => [] as string[])).map(keyFromStorage);
  }

  async #latestRevision(keyDir: string): Promise<number> {
    const names = await readdir(keyDir).catch(() => [] as string[]);
    let latest = 0;
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const revision = Number(name.slice(0, -'.json'.length));
      if (Number.isInteger(revision) && revision > latest) latest = revision;
    }
    return latest;
  }

  async #write(key: string, value: string, revision: number): Promise<number | undefined> {
    const keyDir = join(this.root, storageKey(key));
    await mkdir(keyDir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    const temp = join(keyDir, `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(temp, value, { mode: 0o600 });
    try {
      await link(temp, join(keyDir, revisionFile(revision)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    // Keep revision 1 (it makes a second create fail) and the one before ours (a reader may be on it).
    if (revision > 3) await unlink(join(keyDir, revisionFile(revision - 2))).catch(() => undefined);
    return revision;
  }
}
