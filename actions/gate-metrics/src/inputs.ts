import { input } from '@cutover/kit';

/** The action's inputs; a contract test keeps this and action.yml identical. */
export const inputs = {
  plan: input.string('Plan file (YAML) defining the gates and the metrics provider.', {
    required: true,
  }),
  gates: input.list(
    'Gates to evaluate (comma or newline separated); default: those of the step, else every gate of the plan.',
  ),
  step: input.optionalString(
    'Plan step whose gates to evaluate: its number (1 = first) or "current" (the step traffic is at, read from the marker on the plan\'s router target; its bake is bounded by when the step began). Its bake is the default watch duration.',
  ),
  weight: input.optionalString(
    'Select the plan step by its candidate percentage instead of its number (give step or weight).',
  ),
  mode: input.choice(
    'watch: poll during the bake and fail as soon as a breach lasts its for window; check: judge the finished window from/to.',
    ['watch', 'check'],
    { default: 'watch' },
  ),
  duration: input.optionalString(
    'watch: how long to watch, like "30m" or "1d"; default the bake of the step (for step current, the rest of it).',
  ),
  from: input.optionalString(
    'check: window start, an ISO 8601 time or a duration ago like "24h"; default the bake of the step before to.',
  ),
  to: input.string('check: window end, an ISO 8601 time, a duration ago, or "now".', {
    default: 'now',
  }),
  shadow: input.boolean('Report the verdict but never fail the step (to trial new gates).', {
    default: 'false',
  }),
  'allow-inconclusive': input.boolean(
    "Continue (exit 0 with a warning) when the gates end inconclusive; the 'verdict' output still says inconclusive. By default an inconclusive verdict fails the step: in check mode at once, in watch mode once the plan's rollback.on-inconclusive (hold up to max-hold, or rollback) has run its course.",
    { default: 'false' },
  ),
  'prometheus-url': input.optionalString("Prometheus base URL; overrides the plan's metrics.url."),
  'prometheus-token': input.optionalString('Bearer token for Prometheus (masked in logs).'),
  'prometheus-basic-auth': input.optionalString(
    '"user:password" for Prometheus basic auth (masked in logs).',
  ),
};
