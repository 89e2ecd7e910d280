// The demo's story: the customers first, then every scene of scenes/ in
// order. Each scene prints what happened and checks it, so a broken scene
// makes the demo exit 1 instead of printing nonsense.
import type { DemoScene, DemoServices } from './scene.js';
import { createUsers } from './shop.js';

/** The whole story: the default `npm run demo`. */
export async function runScenario(services: DemoServices, scenes: readonly DemoScene[]): Promise<void> {
  const customers = await createUsers(services);
  for (const scene of scenes) await scene.run({ ...services, customers });
}
