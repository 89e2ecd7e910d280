// Child-process entry: a one-off job that makes one call through etcd discovery
// (TUSK_DISCOVERY=etcd, TUSK_ETCD_ENDPOINTS and ECHO_PREFIX from the parent),
// prints "reply <text>" and ends. Its client is declared with `await using`,
// so the etcd watch is closed when the block ends and the process can exit.
import { createClient } from '../../../src/client/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';

{
  await using echo = createClient<EchoServiceClient>(echoDescriptor({ discovery: { prefix: process.env.ECHO_PREFIX ?? 'services', ttl: '5s' } }));
  const reply = await echo.echo({ text: 'once' }, { timeout: 5_000 });
  process.stdout.write(`reply ${reply.text} from ${reply.instance}\n`);
}
