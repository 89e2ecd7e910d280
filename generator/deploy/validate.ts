import { GeneratorError } from '../errors.js';
import { installArguments } from '../toolchain.js';

/** A manifest as built: plain JSON with apiVersion and kind. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string };
}

/** What `deploy` needs besides the code generator; devDependencies, like the rest of the toolchain. */
export const DEPLOY_PACKAGES: readonly string[] = ['kubernetes-models', '@kubernetes-models/istio'];

interface ModelClass {
  new (data: object): { validate(): void };
}

/** The model class of every kind deploy writes, by `apiVersion/kind`: the schemas of kubernetes-models. */
const MODULES: Readonly<Record<string, readonly [string, string]>> = {
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'Deployment'],
  'v1/Service': ['kubernetes-models/v1/Service', 'Service'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'ServiceAccount'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'PodDisruptionBudget'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'HorizontalPodAutoscaler'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'NetworkPolicy'],
  'networking.istio.io/v1/VirtualService': ['@kubernetes-models/istio/networking.istio.io/v1/VirtualService', 'VirtualService'],
  'networking.istio.io/v1/DestinationRule': ['@kubernetes-models/istio/networking.istio.io/v1/DestinationRule', 'DestinationRule'],
  'security.istio.io/v1/PeerAuthentication': ['@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication', 'PeerAuthentication'],
  'security.istio.io/v1/AuthorizationPolicy': ['@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy', 'AuthorizationPolicy'],
  'security.istio.io/v1/RequestAuthentication': ['@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication', 'RequestAuthentication'],
};

async function modelClass(apiVersion: string, kind: string): Promise<ModelClass> {
  const entry = MODULES[`${apiVersion}/${kind}`];
  if (entry === undefined) throw new Error(`tusk-grpc deploy: no schema for ${apiVersion} ${kind}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(entry[0])) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw GeneratorError.onCommandLine(`deploy validates manifests with ${DEPLOY_PACKAGES.join(', ')}, devDependencies like the code generator: npm install -D ${installArguments(DEPLOY_PACKAGES).join(' ')}`);
  }
  return module[entry[1]] as ModelClass;
}

/**
 * Every object through its schema before anything is written. A failure is
 * deploy's bug (the descriptor was checked before), so it names the object.
 */
export async function validateManifest(manifest: Manifest): Promise<void> {
  const Model = await modelClass(manifest.apiVersion, manifest.kind);
  try {
    new Model(manifest).validate();
  } catch (error) {
    throw new Error(`tusk-grpc deploy built an invalid ${manifest.kind} ${manifest.metadata?.name ?? ''}: ${(error as Error).message}`, { cause: error });
  }
}
