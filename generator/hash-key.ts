// `tusk-grpc hash-key`: the line to put in an [auth] api_keys file for a key
// read from stdin (never from argv, which `ps` and shell history show).
import { hashApiKey } from '../src/security/auth/api-key-file.js';
import { GeneratorError } from './errors.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Prints the key's SHA-256 (hex); one trailing newline, as `echo` adds, is not part of the key. */
export async function runHashKey(): Promise<void> {
  const key = (await readStdin()).replace(/\r?\n$/, '');
  if (key === '') throw GeneratorError.onCommandLine('hash-key reads the key from stdin, and got none (printf %s "$KEY" | tusk-grpc hash-key)');
  process.stdout.write(`${hashApiKey(key)}\n`);
}
