// The HTTP edge: the gateway (examples/gateway/main.ts, its own process) serves
// the protos' google.api.http routes as REST/JSON. Each call is made with fetch
// and printed as the curl command that does the same, so it can be tried by hand.
import { heading, line } from '../print.js';
import { check, type DemoScene } from '../scene.js';

const GATEWAY = 'gateway-1';
/** Bounds every call of the scene, the status stream included. */
const CALL_TIMEOUT_MS = 10_000;

interface Call {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: object;
  readonly accept?: string;
}

/** The curl line of a call; the JSON body single-quoted as a shell would need it. */
function curlLine(base: string, call: Call): string {
  const parts = ['curl -s'];
  if (call.method !== 'GET') parts.push(`-X ${call.method}`);
  parts.push(`${base}${call.path}`);
  if (call.accept !== undefined) parts.push(`-H 'accept: ${call.accept}'`);
  if (call.body !== undefined) parts.push(`-H 'content-type: application/json' -d '${JSON.stringify(call.body)}'`);
  return parts.join(' ');
}

async function send(base: string, call: Call): Promise<Response> {
  line(`$ ${curlLine(base, call)}`);
  const response = await fetch(`${base}${call.path}`, {
    method: call.method,
    headers: { ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...(call.accept === undefined ? {} : { accept: call.accept }) },
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  check(response.ok, `${call.method} ${call.path} answers 200 (got ${response.status}: ${await response.clone().text()})`);
  return response;
}

/** The `data:` payloads of a Server-Sent Events body, in order, until the stream ends. */
async function sseData(response: Response): Promise<Record<string, unknown>[]> {
  const events = (await response.text()).split('\n\n').filter((event) => event.trim() !== '');
  return events.map((event) => {
    check(!event.startsWith('event: error'), `the status stream ends without an error (${event})`);
    return JSON.parse(event.replace(/^data: /m, '')) as Record<string, unknown>;
  });
}

export default {
  processes: [{ service: 'gateway', name: GATEWAY, env: { GATEWAY_PORT: '0' } }],
  async run({ processes }) {
    const base = `http://127.0.0.1:${processes.get(GATEWAY)!.port}`;
    heading('HTTP and browsers: REST/JSON through the gateway (google.api.http routes), shown as curl');

    const created = (await (await send(base, { method: 'POST', path: '/v1/users', body: { name: 'Barbara Liskov', email: 'barbara@example.com' } })).json()) as { user: { id: string; name: string }; servedBy: string };
    check(created.user.name === 'Barbara Liskov' && created.user.id !== '', 'POST /v1/users creates the user');
    line(`→ user ${created.user.id} "${created.user.name}", served by ${created.servedBy}`);

    const order = { userId: created.user.id, items: [{ sku: 'book-taocp', quantity: 1, unitPriceCents: '19999' }] };
    const placed = (await (await send(base, { method: 'POST', path: '/v1/orders', body: order })).json()) as { order: { id: string; totalCents: string; status: string } };
    check(placed.order.totalCents === '19999', 'the order total comes back as an int64 string');
    line(`→ order ${placed.order.id}: ${placed.order.status}, total_cents "${placed.order.totalCents}" (int64 as a JSON string)`);

    const stream = await send(base, { method: 'GET', path: `/v1/orders/${placed.order.id}/status:watch`, accept: 'text/event-stream' });
    check(stream.headers.get('content-type') === 'text/event-stream', 'the server stream comes as Server-Sent Events');
    const statuses = (await sseData(stream)).map((change) => String(change.status).replace('ORDER_STATUS_', ''));
    check(statuses.at(-1) === 'DELIVERED', `the status stream runs to DELIVERED (got ${statuses.join()})`);
    line(`→ ${statuses.length} server-sent events: ${statuses.join(' → ')}`);
  },
} satisfies DemoScene;
