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
  step: input.optionalString('Plan step to move to: its number (1 = first) or "next". Needs plan.'),
  'run-id': input.optionalString(
    'Identity recorded in the marker; default "<GITHUB_RUN_ID>-<GITHUB_RUN_ATTEMPT>".',
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
