// Small helpers for tests that call the EchoService through createClient.
import { closeClient, createClient, type ClientOptions } from '../../src/client/index.js';
import { echoDescriptor, type EchoRequest, type EchoResponse, type EchoServiceClient } from './echo-service.js';

/** A request stream of one `{ text }` per argument. */
export async function* echoRequests(...texts: string[]): AsyncIterable<EchoRequest> {
  for (const text of texts) yield { text };
}

/** Reads a response stream to its end; its texts in order. */
export async function responseTexts(stream: AsyncIterable<EchoResponse>): Promise<string[]> {
  const texts: string[] = [];
  for await (const message of stream) texts.push(message.text);
  return texts;
}

/** Runs `body` with an EchoService client made from `options`, closed afterwards. */
export async function withEchoClient(options: ClientOptions, body: (client: EchoServiceClient) => Promise<void>): Promise<void> {
  const client = createClient<EchoServiceClient>(echoDescriptor(), options);
  try {
    await body(client);
  } finally {
    await closeClient(client);
  }
}
