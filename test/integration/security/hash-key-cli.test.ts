// `tusk-grpc hash-key` (the built CLI): the hash an api_keys file entry holds, for a key on stdin.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { hashApiKey } from '../../../src/security/auth/index.js';
import { CLI } from '../generator/cli-harness.js';

function hashKey(stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'hash-key'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

test('hash-key prints the SHA-256 the server compares against; echo\'s newline is not part of the key', async () => {
  const plain = await hashKey('tusk_live_abc');
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, `${hashApiKey('tusk_live_abc')}\n`);
  assert.equal((await hashKey('tusk_live_abc\n')).stdout, plain.stdout);
  const empty = await hashKey('');
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /reads the key from stdin/);
});
