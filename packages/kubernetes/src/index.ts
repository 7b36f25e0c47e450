// The Kubernetes adapter: one client for the routers and deploy-stack, errors in the kit's model.
export {
  KubeClient,
  type KubeClientOptions,
  type KubeObject,
  type ObjectRef,
  describe,
  resourceOf,
} from './kube-client.js';
export { type RolloutStatus, rolloutOf } from './rollout-status.js';
export {
  type ContainerInfo,
  type EventInfo,
  type PodInfo,
  MAX_EVENTS,
  describeEvents,
  describePods,
} from './pod-diagnostics.js';
export {
  COLOURS,
  COLOUR_LABEL,
  type CandidateOptions,
  type Colour,
  checkManifests,
  inNamespace,
  parseManifests,
  prepareCandidate,
  refOfManifest,
} from './workload-manifests.js';
export {
  type DeployWorkloadOptions,
  FIELD_MANAGER,
  type WorkloadResult,
  WorkloadCancelled,
  WorkloadNotReady,
  deployWorkload,
  labelSelectorOf,
} from './deploy-workload.js';
export {
  type RetireClient,
  type RetireOptions,
  type RetireResult,
  retireWorkload,
} from './retire-workload.js';
