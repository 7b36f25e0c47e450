import { input } from '@cutover/kit';

/** The action's inputs; a contract test keeps this and action.yml identical. */
export const inputs = {
  plan: input.optionalString(
    'Plan file (YAML); its router is used and its steps are enforced (one step at a time).',
  ),
  router: input.optionalString(
    "Inline router settings (YAML mapping, like the plan's router:), when there is no plan.",
  ),
  weight: input.optionalString('Candidate percentage to move to (0-100). Give weight or step.'),
  step: input.optionalString(
    'Plan step to move to: its number (1 = first), "next" (the step function decides: refused while the current step bakes, while paused, after a fail verdict, after a rollback), "promote" (the next step now, skipping the rest of the bake; refused like next otherwise) or "current" (re-assert the step traffic is at: a no-op when weights and marker agree; finishes an interrupted shift). Or a control that moves no traffic: "pause" (record a pause in the marker: next, promote and every move towards the candidate are refused until resumed; rollback still works) or "resume". Needs plan.',
  ),
  reason: input.optionalString(
    'Why (with step: pause): recorded with the pause in the marker (Kubernetes and file routers; on AWS only who and when fit) and shown in the summary.',
  ),
  verdict: input.optionalString(
    "The gate verdict that justifies the move, recorded in the marker: gate-metrics' verdict output (pass, fail, inconclusive) or its results output (JSON).",
  ),
  'run-id': input.optionalString(
    'Identity recorded in the marker: 1-64 characters of A-Z a-z 0-9 _ . : / = + @ - (it must fit a Route 53 TXT string); default "<GITHUB_RUN_ID>-<GITHUB_RUN_ATTEMPT>".',
  ),
  force: input.boolean("Shift even while another run's marker says it is shifting.", {
    default: 'false',
  }),
  'allow-outside-workspace': input.boolean(
    "Let a file router's path leave GITHUB_WORKSPACE (a weights file another process owns on a self-hosted runner). Off: a plan from a pull request cannot make the action write elsewhere.",
    { default: 'false' },
  ),
  'verify-timeout': input.optionalString(
    'How long to wait for the router to apply the weights, like "2m"; default the plan\'s rollback.traffic-timeout, else 2m.',
  ),
};
