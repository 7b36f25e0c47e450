export {
  MARKER_KEY,
  type Marker,
  decodeMarker,
  decodeMarkerCompact,
  encodeMarker,
  encodeMarkerCompact,
} from './marker.js';
export { ConflictError, type RouterTarget, type TargetState } from './router-target.js';
export {
  type ShiftOptions,
  type TargetOutcome,
  ShiftRefused,
  ShiftReverted,
  rollbackTraffic,
  shiftBaseline,
  shiftTraffic,
} from './shift-traffic.js';
export {
  STALE_SHIFT_MS,
  type ShiftRequest,
  shiftRefusals,
  weightsProblem,
} from './validate-shift.js';
