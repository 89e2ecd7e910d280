// Turns on etcd's own auth with etcdctl (Debian's, v3 API): a root user, and
// a user whose role may read and write one key prefix only.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ETCDCTL = process.env.TUSK_TEST_ETCDCTL_BIN ?? '/usr/bin/etcdctl';

export interface EtcdUser {
  readonly username: string;
  readonly password: string;
}

export interface EnableAuthOptions {
  /** The etcd client URL (http:// or https://). */
  readonly url: string;
  readonly root: EtcdUser;
  readonly user: EtcdUser;
  /** The key prefix the user's role may read and write. */
  readonly prefix: string;
  /** For an https etcd: the CA to trust and the client certificate to present. */
  readonly tls?: { readonly ca: string; readonly cert?: string; readonly key?: string };
}

export async function enableEtcdAuth(options: EnableAuthOptions): Promise<void> {
  const base = [`--endpoints=${options.url}`, '--command-timeout=10s'];
  if (options.tls) {
    base.push(`--cacert=${options.tls.ca}`);
    if (options.tls.cert && options.tls.key) base.push(`--cert=${options.tls.cert}`, `--key=${options.tls.key}`);
  }
  const ctl = (...args: string[]) => run(ETCDCTL, [...base, ...args], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 20_000 });
  const role = `${options.user.username}-role`;
  await ctl('user', 'add', `${options.root.username}:${options.root.password}`, '--interactive=false');
  await ctl('role', 'add', 'root').catch(() => undefined); // exists already on some versions
  await ctl('user', 'grant-role', options.root.username, 'root');
  await ctl('role', 'add', role);
  await ctl('role', 'grant-permission', role, '--prefix=true', 'readwrite', options.prefix);
  await ctl('user', 'add', `${options.user.username}:${options.user.password}`, '--interactive=false');
  await ctl('user', 'grant-role', options.user.username, role);
  await ctl('auth', 'enable');
}
