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
