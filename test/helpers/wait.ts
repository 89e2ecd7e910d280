// The tests' polling wait is the demo's: one implementation, in examples/shared
// so the examples never import test code.
export { waitUntil, type WaitOptions } from '../../examples/shared/wait.js';
