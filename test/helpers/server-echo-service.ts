// A working EchoService for server tests. Behaviour is steered by the request
// so one instance covers every case, and it records what the runtime handed it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallContext } from '../../src/server/call-context.js';
import { TuskError } from '../../src/status/tusk-error.js';
import type { Code } from '../../src/status/codes.js';
import type { RawDescriptor } from '../../src/config/types.js';
import { EchoServiceBase, type EchoRequest, type EchoResponse } from './echo-service.js';

export interface ObservedCall {
  readonly method: string;
  readonly ctx: CallContext;
  /** Set when ctx.signal aborted while the handler was running: the reason's message. */
  abortedWith?: string;
  /** The handler got a "wait-abort" request and now waits for ctx.signal. */
  waitingForAbort?: boolean;
}

async function untilAborted(call: ObservedCall): Promise<never> {
  call.waitingForAbort = true;
  const { signal } = call.ctx;
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  throw signal.reason;
}

export class TestEchoService extends EchoServiceBase {
  readonly calls: ObservedCall[] = [];
  /** Items the runtime pulled from countUp's iterable so far. */
  pulled = 0;
  inFlight = 0;
  completed = 0;

  constructor(readonly instance = 'echo-1', config: RawDescriptor = {}) {
    super(config);
  }

  private observe(method: string, ctx: CallContext): ObservedCall {
    const call: ObservedCall = { method, ctx };
    ctx.signal.addEventListener('abort', () => {
      const reason: unknown = ctx.signal.reason;
      call.abortedWith = reason instanceof Error ? reason.message : String(reason);
    });
    this.calls.push(call);
    return call;
  }

  /** text "throw": a plain Error; `fail`: a TuskError with details; "wait-abort": runs until ctx.signal aborts, then throws its reason. */
  private async answer(request: EchoRequest, call: ObservedCall): Promise<EchoResponse> {
    if (request.text === 'throw') throw new Error('secret internal detail');
    if (request.fail !== undefined) throw new TuskError(request.fail as Code, 'failed on purpose', { fieldViolations: [{ field: 'text', description: 'bad' }] });
    if (request.text === 'wait-abort') await untilAborted(call);
    if (request.delayMs) await sleep(request.delayMs);
    return { text: request.text, instance: this.instance };
  }

  async echo(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    const call = this.observe('Echo', ctx);
    this.inFlight += 1;
    try {
      return await this.answer(request, call);
    } finally {
      this.inFlight -= 1;
      this.completed += 1;
    }
  }

  async create(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    return this.answer(request, this.observe('Create', ctx));
  }

  /** text = how many items ("infinite" for no end); delayMs between items; fail after the items. */
  async *countUp(request: EchoRequest, ctx: CallContext): AsyncIterable<EchoResponse> {
    this.observe('CountUp', ctx);
    const count = request.text === 'infinite' ? Number.POSITIVE_INFINITY : Number(request.text);
    // Large items make HTTP/2 flow control bite after a few of them.
    const padding = request.text === 'infinite' ? 'x'.repeat(64 * 1024) : '';
    for (let index = 0; index < count; index += 1) {
      if (request.delayMs) await sleep(request.delayMs);
      this.pulled += 1;
      yield { text: `${index}${padding}`, instance: this.instance };
    }
    if (request.fail !== undefined) throw new TuskError(request.fail as Code, 'stream failed on purpose', { errorInfo: { reason: 'FAILED_ON_PURPOSE', domain: 'test', metadata: { after: String(count) } } });
  }

  async collect(requests: AsyncIterable<EchoRequest>, ctx: CallContext): Promise<EchoResponse> {
    const call = this.observe('Collect', ctx);
    const texts: string[] = [];
    for await (const request of requests) {
      if (request.text === 'wait-abort') await untilAborted(call);
      if (request.fail !== undefined) throw new TuskError(request.fail as Code, 'collect failed on purpose');
      texts.push(request.text);
    }
    return { text: texts.join(','), instance: this.instance };
  }

  async *chat(requests: AsyncIterable<EchoRequest>, ctx: CallContext): AsyncIterable<EchoResponse> {
    const call = this.observe('Chat', ctx);
    for await (const request of requests) {
      if (request.text === 'wait-abort') await untilAborted(call);
      yield { text: `echo:${request.text}`, instance: this.instance };
    }
  }
}
