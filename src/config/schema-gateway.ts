import type { BlockSpec } from './schema-types.js';

/** "4MB", "512KiB", "1048576": decimal (KB, MB, GB) and binary (KiB, MiB, GiB) units, or plain bytes. */
const BYTE_SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/;
const UNIT_BYTES: Readonly<Record<string, number>> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Bytes of a size as the .tsk writes it; undefined when it is not one. */
export function parseByteSize(text: string): number | undefined {
  const match = BYTE_SIZE.exec(text.trim());
  if (match === null) return undefined;
  const bytes = Math.floor(Number(match[1]) * UNIT_BYTES[match[2] ?? 'B']!);
  return bytes >= 1 ? bytes : undefined;
}

/**
 * `[gateway]` of a gateway descriptor (issue 13's contract): where the HTTP
 * edge listens and what it accepts. TuskGateway takes the same settings as
 * options (port, host, maxBodyBytes, maxTimeoutMs, services).
 */
export const GATEWAY_SECTION: BlockSpec = {
  kind: 'block',
  meaning: 'the HTTP gateway (REST transcoding and Connect) in front of the services',
  keys: {
    port: { kind: 'leaf', type: { kind: 'number', integer: true, min: 0, max: 65535 }, default: 8080, example: '@env("GATEWAY_PORT", 8080)', meaning: 'HTTP port to bind; 0 = any free port' },
    host: { kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: '0.0.0.0', example: '"127.0.0.1"', meaning: 'address to bind' },
    max_body: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, default: '4MiB', example: '"4MB"',
      check: (value) => (parseByteSize(value as string) === undefined ? 'is not a size such as "4MB", "512KiB" or a number of bytes' : undefined),
      meaning: 'largest request body; a larger one gets 413 without reaching a service',
    },
    max_timeout: { kind: 'leaf', type: { kind: 'duration', minMs: 1 }, default: '30s', example: '"10s"', meaning: 'cap on every call\'s deadline, whatever grpc-timeout or connect-timeout-ms asks' },
    services: {
      kind: 'leaf', type: { kind: 'string', nonEmpty: true }, list: true, nullable: true, default: null, example: '["acme.inventory.v1.InventoryService"]',
      meaning: 'full names of the services to serve; null = every generated service',
    },
    emit_zero_values: { kind: 'leaf', type: { kind: 'boolean' }, default: true, example: 'false', meaning: 'JSON answers include fields holding zero values (0, "", false, []), as grpc-gateway\'s EmitUnpopulated' },
  },
};
