// One catalog instance in its own process, registered in the local registry folder CATALOG_REGISTRY, so a test
// can SIGKILL it behind the gateway. CATALOG_GEN is the generated catalog.tusk.ts (catalog-fixture.ts makes it);
// prints {"event":"ready","port":N} once serving, as test/helpers/server-process.ts expects.
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { LocalRegistry } from '../../../src/discovery/local-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { catalogService } from './catalog-fixture.js';

const tusk = await import(pathToFileURL(process.env.CATALOG_GEN!).href);
const logger = pino({ level: 'silent' });
const registry = new LocalRegistry({ dir: process.env.CATALOG_REGISTRY!, ttlMs: 1000, logger });
const server = new TuskServer({ host: '127.0.0.1', port: 0, registry, handleSignals: false, logger });
server.add(catalogService(tusk.CatalogServiceBase, process.env.SERVED_BY!, []) as never);
await server.start();
process.stdout.write(`${JSON.stringify({ event: 'ready', port: server.port })}\n`);
