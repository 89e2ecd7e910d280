// A TuskServer on the lean transport ([server] transport = "http2") hosting the
// test EchoService, for the transport's interop tests.
import type { RawDescriptor, RawValue } from '../../../src/config/types.js';
import type { CallContext } from '../../../src/server/call-context.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import type { Code } from '../../../src/status/codes.js';
import type { EchoRequest, EchoResponse } from '../../helpers/echo-service.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';

/** Not ASCII on purpose: grpc-message must be percent-encoded on the wire and decoded back. */
export const NON_ASCII_MESSAGE = 'échec — 失败 100% ✓';

/** The echo service, plus "status:<code>" failing with a non-ASCII message, and the most calls it ever ran at once. */
export class LeanEchoService extends TestEchoService {
  maxInFlight = 0;

  override async echo(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    if (request.text.startsWith('status:')) {
      throw new TuskError(Number(request.text.slice(7)) as Code, NON_ASCII_MESSAGE, { errorInfo: { reason: 'ON_PURPOSE', domain: 'test', metadata: {} } });
    }
    const running = super.echo(request, ctx);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return running;
  }
}

export type LeanServerFixture = EchoServerFixture & { readonly service: LeanEchoService };

export async function startLeanServer(server: Record<string, RawValue> = {}, options: Parameters<typeof startEchoServer>[0] = {}): Promise<LeanServerFixture> {
  const config: RawDescriptor = { server: { transport: 'http2', ...server } };
  return (await startEchoServer(options, config, new LeanEchoService('lean-1', config))) as LeanServerFixture;
}
