export { ROUTER_KINDS, RouterConfigError, createTargets } from './create-targets.js';
export { FileRouter } from './file-router.js';
export { GatewayApiRouter } from './kubernetes/gateway-api-router.js';
export { IngressNginxRouter } from './kubernetes/ingress-nginx-router.js';
export { IstioRouter } from './kubernetes/istio-router.js';
export { KubeClient, type ObjectRef } from './kubernetes/kube-client.js';
export { ServiceSelectorRouter } from './kubernetes/service-selector-router.js';
export { Route53Router, type Route53Settings } from './aws/route53-router.js';
export { AlbRouter, type AlbSettings } from './aws/alb-router.js';
