// A scene is one part of the demo's story in its own file under scenes/,
// named "NN-what-it-shows.ts" and run in the order of NN after the users are
// created. A new scene (a saga that completes, a saga that compensates) is one
// more file there (e.g. scenes/80-saga-completes.ts, 90-saga-compensates.ts):
// default-export a DemoScene, list in `processes` any service
// instance it needs beyond the standard ones (a payment instance) and in `env`
// any setting the services need for it (ORDER_CHECKOUT=saga).
import { readdir } from 'node:fs/promises';
import type { NotificationServiceClient } from '../../gen/notification/v1/notification.tusk.js';
import type { OrderServiceClient } from '../../gen/order/v1/order.tusk.js';
import type { User } from '../../gen/user/v1/user.js';
import type { UserServiceClient } from '../../gen/user/v1/user.tusk.js';
import type { ServiceProcess, StartServiceOptions } from '../shared/service-process.js';

export interface DemoServices {
  readonly userInstances: readonly ServiceProcess[];
  readonly order: ServiceProcess;
  /** Two instances sharing the notification service's consumer groups. */
  readonly notificationInstances: readonly ServiceProcess[];
  /** Every process started, by instance name (the scenes' own included). */
  readonly processes: ReadonlyMap<string, ServiceProcess>;
  /** What every service process got: discovery, events and the demo's settings. */
  readonly env: Readonly<Record<string, string>>;
  readonly users: UserServiceClient;
  readonly orders: OrderServiceClient;
  /** A client of that one instance: each notification instance lists what it recorded itself. */
  notificationsAt(instance: ServiceProcess): NotificationServiceClient;
  /** Closes the client when the demo stops; returns it. */
  keepClient<Client extends object>(client: Client): Client;
}

export interface DemoContext extends DemoServices {
  /** The users the demo created first (createUsers). */
  readonly customers: readonly User[];
}

export interface DemoScene {
  /** Service instances this scene needs beyond the standard ones, started with them. */
  readonly processes?: readonly StartServiceOptions[];
  /** Added to the environment of every service process (the standard ones too). */
  readonly env?: Readonly<Record<string, string>>;
  /** Prints a heading and its lines, and checks what it shows (a failed check throws). */
  run(context: DemoContext): Promise<void>;
}

const SCENES = new URL('./scenes/', import.meta.url);
const SCENE_FILE = /^\d{2}-[a-z0-9-]+\.ts$/;

/** The scenes of scenes/, in file-name order. */
export async function loadScenes(): Promise<DemoScene[]> {
  const files = (await readdir(SCENES)).filter((file) => SCENE_FILE.test(file)).sort();
  return Promise.all(files.map(async (file) => {
    const scene = ((await import(new URL(file, SCENES).href)) as { default?: Partial<DemoScene> }).default;
    if (typeof scene?.run !== 'function') throw new Error(`examples/demo/scenes/${file} does not default-export a DemoScene`);
    return scene as DemoScene;
  }));
}

export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`demo check failed: ${what}`);
}
