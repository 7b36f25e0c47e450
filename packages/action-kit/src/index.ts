// The runner kit: the ActionKit (real runner or in memory), the output guard and runAction.
// Pure helpers (errors, clock, retry, inputs, markdown, redaction) live in @cutover/kit.
export type { ActionKit, AnnotationTarget } from './kit.js';
export { type CoreKit } from './core-kit.js';
export { type LogEntry, type MemoryKit, createMemoryKit } from './memory-kit.js';
export { type OutputGuard, createOutputGuard } from './output-guard.js';
export { failureMessage, runAction } from './run-action.js';
export { resolveInWorkspace } from './workspace-path.js';
