export {
  type ResolveFn,
  forbiddenAddressReason,
  guardedLookup,
  literalAddress,
} from './guard-address.js';
export { type HttpProbeOptions, probeHttpStatus } from './http-status.js';
export { type ProbeResult, type TlsProbeOptions, probeTlsCertificate } from './tls-certificate.js';
