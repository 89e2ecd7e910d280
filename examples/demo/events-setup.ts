// What the demo's events run on: a private local events folder (the default),
// or NATS JetStream when TUSK_EVENTS=nats — the server in TUSK_NATS_SERVERS,
// else a private `nats-server -js` started from PATH.
import { startNats } from '../shared/private-nats.js';
import { chooseBacking, type DemoBacking } from './backing.js';

export function setUpEvents(eventsDir: string): Promise<DemoBacking> {
  return chooseBacking({
    selector: 'TUSK_EVENTS',
    local: { env: { TUSK_EVENTS: 'local', TUSK_EVENTS_DIR: eventsDir }, description: `local events folder ${eventsDir}` },
    engine: 'nats',
    engineLabel: 'NATS JetStream',
    endpointsVariable: 'TUSK_NATS_SERVERS',
    // Debian installs nats-server in /usr/sbin, which a normal user's PATH lacks.
    binary: { name: 'nats-server', alsoIn: ['/usr/sbin'] },
    start: (binary) => startNats({ binary }),
  });
}
