export { renderPlan } from './render-plan.js';
export { type RehearsalEvent, type RehearsalResult, rehearse } from './rehearse.js';
export { run } from './cutover.js';
export { scenarioToQueries } from './scenario.js';
