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
