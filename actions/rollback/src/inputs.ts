import { InputParseError, input, splitList, type InputField } from '@cutover/kit';
import { parseDuration } from '@cutover/plan';

/** What rollback can put back besides traffic (which always goes first). */
export const SCOPES = ['traffic', 'workload', 'stacks'] as const;
export type Scope = (typeof SCOPES)[number];

/** A duration input with a default, like "2m". */
function durationInput(description: string, fallback: string): InputField<number> {
  return {
    description,
    default: fallback,
    parse: (raw) => {
      const ms = parseDuration(raw.trim());
      if (ms === undefined || ms <= 0)
        throw new InputParseError('expected a duration like "90s", "2m" or "1h30m"');
      return ms;
    },
  };
}

/** The action's inputs; a contract test keeps this and action.yml identical. */
export const inputs = {
  plan: input.optionalString(
    'Plan file (YAML): its router, workload: and stacks: sections, gates and rollback targets (traffic-timeout, max-time-to-stable).',
  ),
  router: input.optionalString(
    "Inline router settings (YAML mapping, like the plan's router:), when there is no plan.",
  ),
  scope: {
    description:
      'What to roll back: traffic, workload, stacks (comma or newline separated) or all. Traffic is always rolled back, first.',
    default: 'traffic',
    parse: (raw: string): Scope[] => {
      const words = splitList(raw.toLowerCase());
      if (words.includes('all')) return [...SCOPES];
      const unknown = words.filter((w) => !(SCOPES as readonly string[]).includes(w));
      if (unknown.length > 0)
        throw new InputParseError(
          `expected ${SCOPES.join(', ')} or all; unknown: ${unknown.join(', ')}`,
        );
      return SCOPES.filter((s) => s === 'traffic' || words.includes(s));
    },
  } satisfies InputField<Scope[]>,
  workload: input.choice(
    "What to do with the candidate workload (scope workload): scale-down (replicas 0, kept for a look) or delete (every object of the plan's workload manifests).",
    ['scale-down', 'delete'] as const,
    { default: 'scale-down' },
  ),
  colour: {
    description:
      "Colour label of the candidate workload (scope workload): blue or green; default the plan's workload.colour, else green. Only objects labelled with it are touched.",
    parse: (raw: string): 'blue' | 'green' | undefined => {
      const value = raw.trim();
      if (value === '') return undefined;
      if (value === 'blue' || value === 'green') return value;
      throw new InputParseError('expected blue or green');
    },
  } satisfies InputField<'blue' | 'green' | undefined>,
  'rollback-record': input.string(
    "deploy-stack's rollback record (scope stacks): the stacks it changed are restored in reverse dependency order. Missing: no stack to restore.",
    { default: '${{ runner.temp }}/cutover-rollback-record.json' },
  ),
  'continue-rollback-skip': input.list(
    'Resources to skip when continuing the rollback of a stack in UPDATE_ROLLBACK_FAILED, as "Stack:LogicalId" (comma or newline separated). Without it such a stack is not restored, naming what blocks it.',
  ),
  region: input.optionalString(
    'AWS region of the stacks; default AWS_REGION, then AWS_DEFAULT_REGION.',
  ),
  'stack-timeout': durationInput('How long restoring one stack may take, like "30m".', '30m'),
  reason: input.optionalString(
    'Why the rollback happens (a gate verdict, a person): shown in the log and the summary, as text.',
  ),
  when: input.choice(
    'always: roll back now. interrupted: only when the marker shows a cutover left mid-way (a shift never finished, or the last move was by interrupted-run-id); otherwise succeed doing nothing.',
    ['always', 'interrupted'] as const,
    { default: 'always' },
  ),
  'interrupted-run-id': input.optionalString(
    'Run id ("<run_id>-<attempt>", as shift-traffic records it) of a run known to be cancelled or timed out (when: interrupted).',
  ),
  'check-stable': input.boolean(
    "After traffic is back, judge stable's health once: the plan's gates (relative ones excepted) watched over stable-window.",
    { default: 'true' },
  ),
  'stable-window': durationInput(
    'How long the stable check watches the gates after traffic is back, like "2m".',
    '2m',
  ),
  'run-id': input.optionalString(
    'Identity recorded in the marker: 1-64 characters of A-Z a-z 0-9 _ . : / = + @ -; default "<GITHUB_RUN_ID>-<GITHUB_RUN_ATTEMPT>".',
  ),
  'allow-outside-workspace': input.boolean(
    "Let a file router's path leave GITHUB_WORKSPACE (a weights file another process owns on a self-hosted runner).",
    { default: 'false' },
  ),
  'verify-timeout': input.optionalString(
    'How long to wait for the router to apply 100% stable, like "2m"; default the plan\'s rollback.traffic-timeout, else 2m.',
  ),
};
