export { renderPlan, renderPlanText, planJson } from './render-plan.js';
export {
  type RehearsalEvent,
  type RehearsalResult,
  type RehearsalStep,
  rehearse,
} from './rehearse.js';
export { EXIT } from './commands.js';
export { type RunOptions, VERSION, run } from './cutover.js';
export { scenarioToQueries } from './scenario.js';
