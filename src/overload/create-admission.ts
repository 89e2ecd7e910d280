import type { ResolvedDescriptor } from '../config/types.js';
import type { ServiceDescriptor } from '../config/service-definition.js';
import type { Logger } from '../telemetry/logger-types.js';
import { Admission, AdmittedMethod, type AdmissionObserver } from './admission.js';

export interface HostedForAdmission {
  readonly descriptor: ServiceDescriptor;
  readonly config: ResolvedDescriptor;
}

/**
 * One admission stage for a server: the limit is the process's (one event
 * loop), so the first service's `[server] overload` configures it, like the
 * bind address; each method's priority comes from its own service's
 * `[methods]`. undefined when overload protection is off: the chain then has
 * no admission stage at all.
 */
export function createAdmission(hosted: readonly HostedForAdmission[], logger: Logger, observer?: AdmissionObserver): Admission | undefined {
  const settings = hosted[0]?.config.server.overload;
  if (!settings?.enabled) return undefined;
  const methods = hosted.flatMap(({ descriptor, config }) =>
    Object.values(descriptor.methods).map((method) => new AdmittedMethod(method.path, config.methods[method.name]?.priority ?? 'default', method.kind)),
  );
  return new Admission({ settings, methods, logger, ...(observer ? { observer } : {}) });
}
