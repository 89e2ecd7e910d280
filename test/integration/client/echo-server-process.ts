// Child-process entry: an echo server that prints "listening <port>" and "create <text>" per Create execution.
// Pipes to the parent are synchronous on Linux, so every line printed before a kill -9 reaches the parent.
import { startEchoServer } from './echo-grpc-server.js';

const port = Number(process.env.ECHO_PORT ?? 0);
const delayMs = Number(process.env.ECHO_DELAY_MS ?? 0);
const server = await startEchoServer({ port, delayMs, onCreate: (text) => process.stdout.write(`create ${text}\n`) });
process.stdout.write(`listening ${server.port}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
