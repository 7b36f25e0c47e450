// npm run demo: the main job, locally. Rehearses the NextEvent phased cutover
// (10 -> 25 -> 50 -> 75 -> 100, one day per step, the guide's three rollback triggers as gates)
// on a virtual clock, against a local file router and a recorded scenario in which the
// candidate's error rate climbs two hours into the 50% step. Ends in an automatic rollback.
import { run } from '../packages/cli/src/cutover.ts';

const print = (line) => console.log(line);
const options = { err: (line) => console.error(line) };
const rule = (title) => print(`\n${'='.repeat(100)}\n${title}\n${'='.repeat(100)}`);

rule('cutover plan examples/plans/nextevent-phased.yaml');
let code = await run(['plan', 'examples/plans/nextevent-phased.yaml'], print, options);

rule(
  'cutover rehearse examples/plans/nextevent-phased.yaml --scenario examples/scenarios/nextevent-errors-climb-at-50.yaml',
);
code ||= await run(
  [
    'rehearse',
    'examples/plans/nextevent-phased.yaml',
    '--scenario',
    'examples/scenarios/nextevent-errors-climb-at-50.yaml',
    '--expect',
    'rolled-back',
  ],
  print,
  options,
);
print(
  '\nThe job summary the actions write (tables and a chart per rule): add --summary FILE or --format markdown.',
);
process.exit(code);
