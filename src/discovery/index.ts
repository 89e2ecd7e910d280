export type { Endpoint, Registration, RegistrationHandle, EndpointsListener, Registry } from './types.js';
