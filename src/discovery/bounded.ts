// etcd3's Watcher.cancel() waits for the server's confirmation, which never
// comes if the stream breaks at that moment; shutdown must not wait forever.
import type { Watcher } from 'etcd3';

export const WATCHER_CANCEL_TIMEOUT_MS = 2_000;

export async function cancelWatcherWithin(watcher: Watcher, timeoutMs = WATCHER_CANCEL_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([watcher.cancel().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
