// The catalog composes the plan model with the adapter registries (routers, metrics
// providers), so every action and command reads a plan the same way: one loader that also
// checks each adapter's settings. The plan package stays pure; only this package imports both.
export {
  type AdapterView,
  type CheckOptions,
  adapterProblems,
  planView,
  rawView,
} from './check-adapters.js';
export { loadPlanFile, parseCatalogPlan } from './load-plan.js';
export { type PlanStacks, type PlanStacksResult, readPlanStacks } from './plan-stacks.js';
