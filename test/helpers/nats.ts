// The tests' private nats-server is the one the demo can start: one harness,
// kept in examples/shared so the examples never import test code.
export { startNats, type NatsServer, type StartNatsOptions } from '../../examples/shared/private-nats.js';
