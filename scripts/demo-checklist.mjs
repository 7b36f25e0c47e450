// npm run demo:checklist: the pre-deployment gate, locally. Runs the committed validate-checklist bundle exactly as a
// GitHub runner would (INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files) on the
// NextEvent pre-deployment checklist, against a local health endpoint standing in for the
// user's monitoring stack:
//   1. the checklist as the guide ships it: nothing ticked, the gate refuses and lists all items;
//   2. every item ticked, but Alertmanager is down: a ticked claim is false, the gate refuses;
//   3. Alertmanager recovers: the gate passes and hands out the checklist digest.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const action = join(root, 'dist/validate-checklist/index.js');
const work = mkdtempSync(join(tmpdir(), 'cutover-demo-'));
const original = readFileSync(
  join(root, 'examples/checklists/nextevent-pre-deployment.md'),
  'utf8',
);

let alertmanagerHealthy = false;
const server = createServer((req, res) => {
  const healthy =
    req.url === '/prometheus/-/ready' ||
    (req.url === '/alertmanager/-/healthy' && alertmanagerHealthy);
  res.writeHead(healthy ? 200 : 503).end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const local = `http://127.0.0.1:${server.address().port}`;

// The demo has no real hosts or GitHub repository: http verifiers go to the local endpoint,
// tls and checks verifiers (which need real certificates and a commit's checks) are left out.
const offline = original
  .replace('https://prometheus.nextevent.example.com/-/ready', `${local}/prometheus/-/ready`)
  .replace(
    'https://alertmanager.nextevent.example.com/-/healthy',
    `${local}/alertmanager/-/healthy`,
  )
  .replace(/ <!-- verify: (tls|checks)[^>]*-->/g, '');
const ticked = offline.replaceAll('- [ ]', '- [x]');

const rule = (title) => console.log(`\n${'='.repeat(100)}\n${title}\n${'='.repeat(100)}`);
const shown = (text, lines) =>
  text.split('\n').slice(0, lines).join('\n') + (text.split('\n').length > lines ? '\n  …' : '');

async function runGate(title, checklist, step) {
  rule(title);
  const files = {
    checklist: join(work, `checklist-${step}.md`),
    output: join(work, `output-${step}`),
    summary: join(work, `summary-${step}.md`),
  };
  writeFileSync(files.checklist, checklist);
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  const env = {
    PATH: process.env.PATH ?? '',
    GITHUB_WORKSPACE: work,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_REPOSITORY: 'nextevent/platform',
    INPUT_PATH: `checklist-${step}.md`,
    'INPUT_VERIFY-HOSTS': '127.0.0.1',
  };
  const started = performance.now();
  const child = spawn(process.execPath, [action], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const elapsed = performance.now() - started;
  console.log(
    `$ validate-checklist path=checklist-${step}.md   -> exit ${code} in ${elapsed.toFixed(0)} ms\n`,
  );
  console.log('-- log (annotations as the runner receives them) --');
  console.log(
    shown(
      log
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('::set-output'))
        .join('\n'),
      14,
    ),
  );
  console.log('\n-- outputs --');
  const outputs = readFileSync(files.output, 'utf8').match(/^(\w+)<<(.+)\n([\s\S]*?)\n\2$/gm) ?? [];
  for (const block of outputs) {
    const [, name, , value] = /^(\w+)<<(.+)\n([\s\S]*?)\n\2$/.exec(block);
    console.log(`${name.padEnd(9)} ${value.length > 160 ? `${value.slice(0, 160)}…` : value}`);
  }
  console.log('\n-- job summary (markdown) --');
  console.log(shown(readFileSync(files.summary, 'utf8'), 16));
  return code;
}

const first = await runGate('1. The NextEvent checklist as the guide ships it', offline, 1);
const second = await runGate(
  '2. Every item ticked, but Alertmanager answers 503: a ticked claim is false',
  ticked,
  2,
);
alertmanagerHealthy = true;
const third = await runGate('3. Alertmanager healthy again: the gate passes', ticked, 3);
server.close();

rule('Result');
const expected = first === 1 && second === 1 && third === 0;
console.log(
  `gate refused, refused, passed: ${expected ? 'as expected' : `UNEXPECTED exit codes ${first}, ${second}, ${third}`}`,
);
process.exit(expected ? 0 : 1);
