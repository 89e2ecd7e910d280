// The demo's output: a numbered heading per step, indented lines under it.
import { codeName, isTuskError } from 'tusk-grpc';

let step = 0;
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

export function heading(title: string): void {
  step++;
  console.log(`\n${bold(`${step}. ${title}`)}`);
}

export function line(text: string): void {
  console.log(`   ${text}`);
}

export const dollars = (cents: bigint) => `$${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;

/** "INVALID_ARGUMENT: ... {details}" for a client error; the message otherwise. */
export function describeError(error: unknown): string {
  if (!isTuskError(error)) return error instanceof Error ? error.message : String(error);
  const details = error.details === undefined ? '' : ` ${JSON.stringify(error.details)}`;
  return `${codeName(error.code)}: ${error.message}${details}`;
}

/** Runs `call`, which must fail; returns the error (the demo shows and the tests check it). */
export async function expectFailure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded but should have failed');
}
