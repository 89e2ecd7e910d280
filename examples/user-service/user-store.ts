// Users as one JSON file each in a folder (USER_DATA_DIR), so every instance
// of the user service that points at the same folder sees the same users.
// Writes go to a temp file and are renamed into place: readers never see half
// a user. A real service would use a database; this keeps the example runnable
// with nothing installed.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StoredUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

export class UserStore {
  /** The last id's time and its count within that millisecond: several users can be made in one. */
  private lastTime = 0;
  private sameTimeCount = 0;

  constructor(readonly dir: string = process.env.USER_DATA_DIR || join(tmpdir(), 'tusk-example-users')) {}

  /**
   * Ids sort in creation order: a zero-padded time, this instance's count within that millisecond (a clock that
   * steps back keeps the last time), then randomness against ties between instances.
   */
  async add(name: string, email: string): Promise<StoredUser> {
    const createdAt = Date.now();
    const time = Math.max(createdAt, this.lastTime);
    this.sameTimeCount = time === this.lastTime ? this.sameTimeCount + 1 : 0;
    this.lastTime = time;
    const id = `u_${time.toString(36).padStart(9, '0')}${this.sameTimeCount.toString(36).padStart(3, '0')}${randomBytes(3).toString('hex')}`;
    const user: StoredUser = { id, name, email, createdAt };
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.${user.id}.${process.pid}.tmp`);
    await writeFile(temp, JSON.stringify(user));
    await rename(temp, this.fileOf(user.id));
    return user;
  }

  async get(id: string): Promise<StoredUser | undefined> {
    // Ids come from callers: only ever read a file this store could have written.
    if (!/^u_[0-9a-z]+$/.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(this.fileOf(id), 'utf8')) as StoredUser;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Every user, oldest first. */
  async list(): Promise<StoredUser[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const users = await Promise.all(names.map((name) => this.get(name.slice(0, -'.json'.length))));
    return users.filter((user): user is StoredUser => user !== undefined);
  }

  async findByEmail(email: string): Promise<StoredUser | undefined> {
    const wanted = email.toLowerCase();
    return (await this.list()).find((user) => user.email.toLowerCase() === wanted);
  }

  private fileOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}
