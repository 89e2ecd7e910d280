export type { Logger, LogFn } from './logger-types.js';
