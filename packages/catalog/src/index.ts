// The catalog composes the plan model with the adapter registries (routers, metrics
// providers), so every action and command reads a plan the same way: one loader that also
// checks each adapter's settings. Work in progress: today it delegates to the plan package.
export { loadPlanFile } from '@cutover/plan';
