/** A reachable instance of a service as the registry knows it. */
export interface Endpoint {
  /** "host:port" */
  readonly address: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface Registration {
  /** Full service name, e.g. "user.v1.UserService". */
  readonly service: string;
  readonly address: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface RegistrationHandle {
  /** Removes the instance (etcd: revokes the lease) and stops keepalive. */
  deregister(): Promise<void>;
}

/** Receives the full current endpoint list after every change. */
export type EndpointsListener = (endpoints: readonly Endpoint[]) => void;

/** One interface, three providers: etcd, local, static. */
export interface Registry {
  /**
   * How long a watcher in another process may take to see a deregistration:
   * a stopping server keeps serving this long (its default drain_delay).
   * Undefined = 1 s.
   */
  readonly removalVisibleWithinMs?: number;
  /** True when other machines read what is registered (etcd): a wildcard-bound server then advertises a reachable address, never loopback. */
  readonly sharedAcrossMachines?: boolean;
  register(registration: Registration): Promise<RegistrationHandle>;
  /** Calls `listener` with the current list as soon as it is known, then on every change. */
  watch(service: string, listener: EndpointsListener): () => void;
  close(): Promise<void>;
}
