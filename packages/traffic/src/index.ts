export {
  COMPACT_MARKER_LIMIT,
  MARKER_KEY,
  PLAN_HASH_LENGTH,
  RUN_ID_PATTERN,
  type Marker,
  type PauseRecord,
  type RecordedVerdict,
  checkRunId,
  decodeMarker,
  decodeMarkerCompact,
  encodeMarker,
  encodeMarkerCompact,
} from './marker.js';
export {
  type ControlRequest,
  type CutoverState,
  type Decision,
  type DecisionContext,
  type Move,
  type MoveRequest,
  type StepRequest,
  type TargetReading,
  STEP_WORDS,
  chooseMove,
  decideNext,
  observeCutover,
  readCutover,
} from './controller.js';
export {
  type PauseKind,
  type PauseOptions,
  type PauseOutcome,
  pauseNoop,
  setPaused,
} from './pause.js';
export { canonicalJson, planHash } from './plan-hash.js';
export { type ObservedStateJson, observedStateJson } from './state-json.js';
export { renderPauseSummary, renderShiftSummary } from './render-shift-summary.js';
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
export { parseGateStep, parseMoveRequest, parsePercentage, parseStepNumber } from './step-input.js';
export { parseVerdictInput } from './verdict-input.js';
export {
  RESUME_HINT,
  STALE_SHIFT_MS,
  type ShiftRequest,
  describePause,
  shiftRefusals,
  weightsProblem,
} from './validate-shift.js';
