// The job summary is the domain's (packages/checklist); kept here for scripts/bench.mjs.
export { renderSummary } from '@cutover/checklist';
