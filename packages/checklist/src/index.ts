export {
  type ChecklistItem,
  type ParsedChecklist,
  CHECKLIST_LIMITS,
  ChecklistTooLargeError,
  parseChecklist,
} from './parse-checklist.js';
export {
  type ItemDirective,
  type StatusRange,
  type VerifierSpec,
  DEFAULT_RELEASE_TAG_PATTERN,
  DEFAULT_TLS_MIN_DAYS,
  VERIFIER_KINDS,
  parseItemComment,
  parseVerifier,
} from './item-directives.js';
export {
  type ChecklistVerdict,
  type EvaluationInput,
  type ItemResult,
  type ItemStatus,
  type MissingItem,
  type VerifierOutcome,
  evaluateChecklist,
} from './evaluate-checklist.js';
export {
  type Verifiers,
  type VerifyOptions,
  checkReleaseTag,
  globMatch,
  hostRefusal,
  verifyItems,
} from './verify-items.js';
export { checklistDigest, tickItems } from './tick-items.js';
export { type SectionFilterResult, filterSections } from './filter-sections.js';
export { type ChecklistDocument, type ScopedDocument, scopeDocuments } from './scope-documents.js';
export {
  type EditableBody,
  type TickResult,
  tickCandidates,
  tickVerified,
} from './tick-verified.js';
export {
  type ChecklistAnnotation,
  type ChecklistConclusion,
  MAX_ANNOTATIONS,
  concludeChecklist,
  oneLine,
} from './conclude-checklist.js';
export { renderSummary } from './render-summary.js';
export {
  type ChecklistProbes,
  type GateLog,
  type GateOptions,
  type GatePorts,
  gateChecklist,
} from './gate-checklist.js';
