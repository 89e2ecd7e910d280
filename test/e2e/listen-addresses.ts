// Which local addresses listen on a TCP port, read from Linux's /proc/net/tcp
// and tcp6 (no ss/netstat needed): lets the e2e tests prove the example
// services bind loopback only.
import { readFile } from 'node:fs/promises';

const LISTEN_STATE = '0A';

/** Local addresses ("127.0.0.1", "0.0.0.0", "::", ...) with a listening socket on `port`. */
export async function listeningAddresses(port: number): Promise<string[]> {
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const row of text.split('\n').slice(1)) {
      const [, local, , state] = row.trim().split(/\s+/);
      if (!local || state !== LISTEN_STATE) continue;
      const [addressHex, portHex] = local.split(':');
      if (Number.parseInt(portHex!, 16) === port) found.push(decodeAddress(addressHex!));
    }
  }
  return found;
}

// The kernel prints each 32-bit word of the address in host (little-endian) byte order.
function decodeAddress(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => Number.parseInt(byte, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, index) => ((bytes[index * 2]! << 8) | bytes[index * 2 + 1]!).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  return text;
}
