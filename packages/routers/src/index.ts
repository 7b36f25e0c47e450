export { ROUTER_KINDS, RouterConfigError, createTargets } from './create-targets.js';
export { type RouterSettingsCheck, checkRouterSettings, routerRegistry } from './registry.js';
export { type RouterContext, type RouterDefinition } from './router-settings.js';
export { FileRouter, type FileSettings, fileRouter } from './file-router.js';
export { GatewayApiRouter, gatewayApiRouter } from './kubernetes/gateway-api-router.js';
export { IngressNginxRouter, ingressNginxRouter } from './kubernetes/ingress-nginx-router.js';
export { IstioRouter, istioRouter } from './kubernetes/istio-router.js';
export {
  ServiceSelectorRouter,
  serviceSelectorRouter,
} from './kubernetes/service-selector-router.js';
export { KubeClient, type ObjectRef } from '@cutover/kubernetes';
export {
  Route53Router,
  type Route53Settings,
  isPreconditionFailure,
  route53Router,
} from './aws/route53-router.js';
export { AlbRouter, type AlbSettings, albRouter } from './aws/alb-router.js';
export {
  HaproxyRouter,
  type HaproxySettings,
  haproxyRouter,
  parseSocket,
  serverWeights,
} from './haproxy-router.js';
