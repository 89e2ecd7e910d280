// The on-disk layout of the `local` provider (development only: one machine,
// polled files, no retention). Every write is a temp file + rename or an
// exclusive create, so several processes can share the folder:
//   <dir>/<stream>/log/<subject>/<time>-<n>-<id>.json   one event each
//   <dir>/<stream>/ids/<id>                           de-duplication (names the log file)
//   <dir>/<stream>/groups/<group>/acked/<log file>     the group is done with it
//   <dir>/<stream>/groups/<group>/claims/<log file>.<attempt>   one instance owns attempt n
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { PRIVATE_FOLDER_MODE, writeFileAtomically } from '../discovery/local-files.js';
import { OneLineError } from '../status/fatal.js';

/** One stored event: the same parts a JetStream message has. */
export interface LocalEventRecord {
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  /** base64 of the protobuf payload. */
  readonly data: string;
  readonly publishedAtMs: number;
}

/** Who holds an attempt and until when (a later instance may take the next attempt after that). */
export interface LocalClaim {
  readonly holder: string;
  readonly untilMs: number;
}

export function defaultLocalEventsDir(): string {
  return join(tmpdir(), `tusk-grpc-events-${process.getuid?.() ?? userInfo().username}`);
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Anyone who may write the events folder could inject events into every handler: refuse such a folder. */
export class UnsafeEventsFolderError extends OneLineError {
  constructor(dir: string, problem: string) {
    super(`local events folder ${dir} ${problem}; use a folder only you can write (chmod 700) or set TUSK_EVENTS_DIR`);
    this.name = 'UnsafeEventsFolderError';
  }
}

/** Creates the folder 0700 if missing; refuses one another user owns or that group or others may write. */
export async function ensurePrivateEventsFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  const info = await stat(dir);
  if (!info.isDirectory()) throw new UnsafeEventsFolderError(dir, 'is not a folder');
  if (process.platform === 'win32') return; // POSIX modes and uids mean nothing there
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) throw new UnsafeEventsFolderError(dir, `belongs to another user (uid ${info.uid})`);
  if ((info.mode & 0o022) !== 0) throw new UnsafeEventsFolderError(dir, `is writable by other users (mode ${(info.mode & 0o777).toString(8)})`);
}

let sequence = 0;

export class LocalEventStore {
  readonly root: string;
  constructor(dir: string, stream: string) {
    this.root = join(dir, safeName(stream));
  }

  subjectDir(subject: string): string {
    return join(this.root, 'log', safeName(subject));
  }

  #idFile(eventId: string): string {
    // Hashed: an id is any text a publisher chose.
    return join(this.root, 'ids', createHash('sha256').update(eventId).digest('hex').slice(0, 40));
  }

  #groupDir(group: string, part: 'acked' | 'claims'): string {
    return join(this.root, 'groups', safeName(group), part);
  }

  /** Creates the group's folders and records its subject; returns the subject the group was created for (maybe another one). */
  async ensureGroup(group: string, subject: string): Promise<string> {
    await mkdir(this.#groupDir(group, 'acked'), { recursive: true, mode: 0o700 });
    await mkdir(this.#groupDir(group, 'claims'), { recursive: true, mode: 0o700 });
    const subjectFile = join(this.root, 'groups', safeName(group), 'subject');
    try {
      const handle = await open(subjectFile, 'wx');
      await handle.writeFile(subject);
      await handle.close();
      return subject;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return (await readFile(subjectFile, 'utf8')) || subject;
    }
  }

  /** Stores the event unless its id is already stored; true when it was a duplicate. */
  async append(eventId: string, record: LocalEventRecord): Promise<boolean> {
    const dir = this.subjectDir(record.subject);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await mkdir(join(this.root, 'ids'), { recursive: true, mode: 0o700 });
    sequence += 1;
    const name = `${String(record.publishedAtMs).padStart(15, '0')}-${process.pid}-${String(sequence).padStart(9, '0')}-${safeName(eventId).slice(0, 60)}.json`;
    const idFile = this.#idFile(eventId);
    try {
      const handle = await open(idFile, 'wx');
      await handle.writeFile(join(safeName(record.subject), name));
      await handle.close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A publisher that crashed between the id and the event left the id alone: store the event now.
      const earlier = (await readFile(idFile, 'utf8').catch(() => '')).trim();
      if (earlier !== '' && (await exists(join(this.root, 'log', earlier)))) return true;
      await writeFileAtomically(join(this.root, 'log', earlier || join(safeName(record.subject), name)), JSON.stringify(record));
      return false;
    }
    await writeFileAtomically(join(dir, name), JSON.stringify(record));
    return false;
  }

  /** Event file names of a subject, oldest first. */
  async list(subject: string): Promise<string[]> {
    return (await readdir(this.subjectDir(subject)).catch(() => [] as string[])).filter((name) => name.endsWith('.json')).sort();
  }

  async read(subject: string, name: string): Promise<LocalEventRecord | undefined> {
    const text = await readFile(join(this.subjectDir(subject), name), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as LocalEventRecord);
  }

  async acked(group: string): Promise<Set<string>> {
    return new Set(await readdir(this.#groupDir(group, 'acked')).catch(() => [] as string[]));
  }

  async isAcked(group: string, name: string): Promise<boolean> {
    return exists(join(this.#groupDir(group, 'acked'), name));
  }

  /** The latest attempt per event file. */
  async claims(group: string): Promise<Map<string, number>> {
    const latest = new Map<string, number>();
    for (const file of await readdir(this.#groupDir(group, 'claims')).catch(() => [] as string[])) {
      const dot = file.lastIndexOf('.');
      const attempt = Number(file.slice(dot + 1));
      const name = file.slice(0, dot);
      if (Number.isInteger(attempt) && attempt > (latest.get(name) ?? 0)) latest.set(name, attempt);
    }
    return latest;
  }

  async readClaim(group: string, name: string, attempt: number): Promise<LocalClaim | undefined> {
    const text = await readFile(join(this.#groupDir(group, 'claims'), `${name}.${attempt}`), 'utf8').catch(() => undefined);
    if (text === undefined || text === '') return undefined;
    try {
      return JSON.parse(text) as LocalClaim;
    } catch {
      return undefined;
    }
  }

  /** Takes attempt n exclusively: false when another instance took it first. */
  async claim(group: string, name: string, attempt: number, claim: LocalClaim): Promise<boolean> {
    try {
      const handle = await open(join(this.#groupDir(group, 'claims'), `${name}.${attempt}`), 'wx');
      await handle.writeFile(JSON.stringify(claim));
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  /** Moves the attempt's deadline: `working()`, or a retry time after a failure. */
  async extendClaim(group: string, name: string, attempt: number, claim: LocalClaim): Promise<void> {
    await writeFileAtomically(join(this.#groupDir(group, 'claims'), `${name}.${attempt}`), JSON.stringify(claim));
  }

  async ack(group: string, name: string, attempts: number): Promise<void> {
    await writeFileAtomically(join(this.#groupDir(group, 'acked'), name), '');
    await Promise.all(Array.from({ length: attempts }, (_, index) => rm(join(this.#groupDir(group, 'claims'), `${name}.${index + 1}`), { force: true })));
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
