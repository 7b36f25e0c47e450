// npm run bench: the performance baseline. Per action: bundle bytes and cold start of
// `node dist/<action>/index.js` on the fail-fast path (no inputs), as the median of interleaved
// runs next to a bare @actions/core bundle; plus checklist parsing at the size limits.
// Runs on Node 24 with tsx (scripts/node24.mjs --import tsx). Results also go to .bench/results.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 25);
const benchDir = join(root, '.bench');
mkdirSync(benchDir, { recursive: true });

// A bare @actions/core bundle that fails fast the same way: the floor every action pays.
const baselineSrc = join(benchDir, 'core-only.mjs');
writeFileSync(
  baselineSrc,
  "import * as core from '@actions/core';\ncore.setFailed('no inputs');\n",
);
// Built the way scripts/bundle.mjs builds the actions (esbuild, ESM, minified), so the ratio
// measures what the actions add, not a difference of bundlers.
const baselineOut = join(benchDir, 'core-only');
await build({
  entryPoints: { index: baselineSrc },
  outdir: baselineOut,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
  banner: {
    js: "import{createRequire as __cutoverRequire}from'node:module';const require=__cutoverRequire(import.meta.url);",
  },
  logLevel: 'silent',
});
writeFileSync(join(baselineOut, 'package.json'), '{\n  "type": "module"\n}\n');

const cleanEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
const timeOnce = (script) => {
  const started = process.hrtime.bigint();
  spawnSync(process.execPath, [script], { env: cleanEnv, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
};
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const bytes = (dir) =>
  readdirSync(dir)
    .filter((f) => /\.m?js$/.test(f))
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);

const actions = readdirSync(join(root, 'dist')).filter((name) =>
  existsSync(join(root, 'dist', name, 'index.js')),
);
const results = { node: process.version, runs, actions: {}, parse: {} };
const baselineScript = join(baselineOut, 'index.js');
const samples = { baseline: [] };
for (const name of actions) samples[name] = [];
for (let i = 0; i < 3; i++) timeOnce(baselineScript); // warm the file cache
for (let i = 0; i < runs; i++) {
  samples.baseline.push(timeOnce(baselineScript));
  for (const name of actions) samples[name].push(timeOnce(join(root, 'dist', name, 'index.js')));
}
const baseline = median(samples.baseline);
console.log(
  `Node ${process.version}, median of ${runs} interleaved cold starts (fail-fast path, no inputs)\n`,
);
console.log('| bundle | entry bytes | all chunks bytes | cold start | vs bare core |');
console.log('|---|---|---|---|---|');
console.log(
  `| bare @actions/core | ${statSync(baselineScript).size} | ${bytes(baselineOut)} | ${baseline.toFixed(0)} ms | 1.00 |`,
);
for (const name of actions) {
  const dir = join(root, 'dist', name);
  const start = median(samples[name]);
  results.actions[name] = {
    entryBytes: statSync(join(dir, 'index.js')).size,
    totalBytes: bytes(dir),
    coldStartMs: Math.round(start),
    ratio: +(start / baseline).toFixed(2),
  };
  console.log(
    `| ${name} | ${results.actions[name].entryBytes} | ${results.actions[name].totalBytes} | ${start.toFixed(0)} ms | ${(start / baseline).toFixed(2)} |`,
  );
}
results.baselineColdStartMs = Math.round(baseline);

// Checklist parsing at and beyond the limits (hostile bodies).
const { parseChecklist, CHECKLIST_LIMITS } = await import('../packages/checklist/src/index.ts');
{
  const { maxBytes, maxLines } = CHECKLIST_LIMITS;
  const item = '- [ ] item <!-- verify: http https://h.example/ -->\n';
  const fill = (unit) => unit.repeat(Math.floor((maxBytes - 8) / unit.length));
  const cases = {
    'task items with verifiers, at the byte limit': fill(item),
    [`${maxLines - 1} "- [" lines`]: '- [\n'.repeat(maxLines - 1),
    'unclosed fence, at the byte limit':
      '```\n' + ('b'.repeat(63) + '\n').repeat(Math.floor((maxBytes - 8) / 64)),
    'emphasis and brackets, at the byte limit': fill('*a **b [c '),
    'nested quotes and lists, at the byte limit': fill('> - [ ] > * [x] '),
    '5 MB body (refused by size)': 'x'.repeat(5 * 1024 * 1024),
    '100k "- [" lines (refused by size)': '- [\n'.repeat(100_000),
  };
  console.log('\n| checklist input | bytes | parse (median of 5) | outcome |');
  console.log('|---|---|---|---|');
  for (const [label, text] of Object.entries(cases)) {
    const times = [];
    let outcome = '';
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      try {
        outcome = `${parseChecklist(text).items.length} items`;
      } catch (error) {
        outcome = `refused: ${error.message.split(';')[0]}`;
      }
      times.push(performance.now() - started);
    }
    results.parse[label] = {
      bytes: Buffer.byteLength(text),
      ms: +median(times).toFixed(1),
      outcome,
    };
    console.log(
      `| ${label} | ${Buffer.byteLength(text)} | ${median(times).toFixed(1)} ms | ${outcome} |`,
    );
  }

  // The whole validate-checklist pipeline over many items in one section: it must stay linear
  // (the job summary and ticking once copied per item: 20k items took 15 s or more).
  const { evaluateChecklist, renderSummary, tickItems } =
    await import('../packages/checklist/src/index.ts');
  console.log('\n| task items, one section | parse | evaluate + job summary | tick all |');
  console.log('|---|---|---|---|');
  for (const count of [10_000, maxLines - 1]) {
    const text = '- [ ] a\n'.repeat(count);
    const times = { parse: [], summary: [], tick: [] };
    for (let i = 0; i < 5; i++) {
      let started = performance.now();
      const { items } = parseChecklist(text);
      times.parse.push(performance.now() - started);
      started = performance.now();
      const verdict = evaluateChecklist(
        items.map((item) => ({ item, origin: 'c.md', outcomes: [], tickedByTool: false })),
      );
      renderSummary(verdict, 'c.md', 'sha256:0');
      times.summary.push(performance.now() - started);
      started = performance.now();
      tickItems(text, items);
      times.tick.push(performance.now() - started);
    }
    const [parse, summary, tick] = [times.parse, times.summary, times.tick].map(
      (t) => +median(t).toFixed(1),
    );
    results.parse[`${count} task items, one section`] = {
      bytes: Buffer.byteLength(text),
      ms: parse,
      summaryMs: summary,
      tickMs: tick,
    };
    console.log(`| ${count} | ${parse} ms | ${summary} ms | ${tick} ms |`);
  }
}
writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2));

// Gate detection in watch mode against a real Prometheus scraping a live exporter every second.
// Scaled config (interval 1s, for 5s, rate over 5s) so a run takes seconds; the lag beyond `for`
// is what the production config (interval 15s, for 5m) adds on top of its own `for`.
{
  const { systemClock, createVirtualClock } = await import('../packages/kit/src/index.ts');
  const { watchGates } = await import('../packages/gates/src/index.ts');
  const { PrometheusSource, FileSource } = await import('../packages/metrics/src/index.ts');
  const { parsePlan, parseThreshold } = await import('../packages/plan/src/index.ts');
  const { LiveExporter, LIVE_ERROR_RATE } = await import('../test/support/live-exporter.ts');
  const { startPrometheus } = await import('../test/support/prometheus.ts');
  const exporter = await new LiveExporter().start();
  const prometheus = await startPrometheus({
    scrapeTargets: [exporter.target],
    scrapeIntervalS: 1,
  });
  const rule = {
    name: 'errors',
    query: LIVE_ERROR_RATE,
    threshold: parseThreshold('> 5%'),
    forMs: 5000,
    intervalMs: 1000,
    initialDelayMs: 0,
    minSamples: 1,
    minTraffic: undefined,
    onNoData: 'inconclusive',
    minCoverage: 0.9,
    maxGapMs: 5000,
    errorBudget: 3,
    relative: undefined,
    severity: 'critical',
    description: undefined,
  };
  const source = new PrometheusSource({ url: prometheus.url, timeoutMs: 5000 });
  await new Promise((resolve) => setTimeout(resolve, 7000)); // rate() over 5s needs a few scrapes
  const runsLive = [];
  for (let i = 0; i < 3; i++) {
    exporter.setErrorShare(0.5);
    const injected = Date.now();
    const report = await watchGates([rule], source, systemClock, {
      from: injected,
      until: injected + 60_000,
    });
    const failedAt = Date.now();
    exporter.setErrorShare(0.01);
    const breachSince = report.verdicts[0]?.breachSince ?? failedAt;
    runsLive.push({
      status: report.outcome.status,
      injectToFail: failedAt - injected,
      breachTrueToFail: failedAt - breachSince,
      queries: report.queries,
    });
    await new Promise((resolve) => setTimeout(resolve, 7000)); // let the rate window clear
  }
  await prometheus.stop();
  await exporter.stop();
  const m = (key) => median(runsLive.map((r) => r[key]));
  results.watchDetection = { config: 'scrape 1s, interval 1s, for 5s, rate[5s]', runs: runsLive };
  console.log('\n| watch mode vs real Prometheus (scrape 1s, interval 1s, for 5s) | median of 3 |');
  console.log('|---|---|');
  console.log(`| verdicts | ${runsLive.map((r) => r.status).join(', ')} |`);
  console.log(`| error injected → fail verdict | ${m('injectToFail').toFixed(0)} ms |`);
  console.log(
    `| breach observed true → fail verdict (ideal: for = 5000 ms) | ${m('breachTrueToFail').toFixed(0)} ms |`,
  );
  console.log(
    `| lag beyond for (bounded by one interval, 1000 ms) | ${(m('breachTrueToFail') - 5000).toFixed(0)} ms |`,
  );
  console.log(`| queries until fail | ${m('queries')} |`);

  // Queries per rule per bake for the NextEvent plan (1-day bake, 15s interval), counted on recorded data.
  const { readFileSync } = await import('node:fs');
  const plan = parsePlan(
    readFileSync(join(root, 'examples/plans/nextevent-phased.yaml'), 'utf8'),
  ).plan;
  console.log('\n| NextEvent gate, 1-day bake | queries (watch mode) | queries (check mode) |');
  console.log('|---|---|---|');
  results.queriesPerBake = {};
  const { checkWindow } = await import('../packages/gates/src/index.ts');
  for (const gate of Object.values(plan.gates)) {
    const constant = {
      [gate.query.trim()]: [
        { kind: 'segment', from: 0, to: 2 * 86_400_000, start: 0.001, end: 0.001 },
      ],
    };
    if (gate.minTraffic)
      constant[gate.minTraffic.query.trim()] = [
        { kind: 'segment', from: 0, to: 2 * 86_400_000, start: 50, end: 50 },
      ];
    const recorded = new FileSource(constant, 0);
    const watch = await watchGates([gate], recorded, createVirtualClock(0), {
      from: 0,
      until: 86_400_000,
    });
    const check = await checkWindow([gate], recorded, 0, 86_400_000, createVirtualClock(0));
    results.queriesPerBake[gate.name] = { watch: watch.queries, check: check.queries };
    console.log(
      `| ${gate.name} (interval ${gate.intervalMs / 1000}s${gate.minTraffic ? ', + traffic guard' : ''}) | ${watch.queries} | ${check.queries} |`,
    );
  }
}
writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2));

// Traffic: API calls and wall time per shift and per traffic rollback, through the real
// Kubernetes client against the fake API server (controller accepting after 20 ms).
{
  const { systemClock } = await import('../packages/kit/src/index.ts');
  const { createTargets } = await import('../packages/routers/src/index.ts');
  const { shiftTraffic, rollbackTraffic } = await import('../packages/traffic/src/index.ts');
  const { FakeKubernetes } = await import('../test/support/fake-kubernetes.ts');
  const kube = await new FakeKubernetes().start();
  for (const service of ['blue', 'green'])
    kube.put({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: service,
        namespace: 'production',
        labels: { 'kubernetes.io/service-name': service },
      },
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
    });
  const rows = [];
  for (let i = 0; i < 5; i++) {
    const name = `shop-${i}`;
    kube.put({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name, namespace: 'production' },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'blue', weight: 100 },
              { name: 'green', weight: 0 },
            ],
          },
        ],
      },
    });
    const { targets } = createTargets(
      {
        kind: 'gateway-api',
        name,
        namespace: 'production',
        stable: 'blue',
        candidate: 'green',
        kubeconfig: kube.kubeconfig,
      },
      { clock: systemClock, resolvePath: (p) => p },
    );
    const options = {
      runId: `bench-${i}`,
      planSteps: [10, 25, 50, 75, 100],
      force: false,
      clock: systemClock,
      verifyTimeoutMs: 10_000,
      verifyIntervalMs: 25,
      log: () => undefined,
    };
    let before = kube.requests.length;
    let started = performance.now();
    await shiftTraffic(targets, 10, options);
    const shift = { ms: performance.now() - started, calls: kube.requests.length - before };
    before = kube.requests.length;
    started = performance.now();
    await rollbackTraffic(targets, options);
    rows.push({
      shift,
      rollback: { ms: performance.now() - started, calls: kube.requests.length - before },
    });
  }
  await kube.stop();
  const med = (pick) => median(rows.map(pick));
  results.traffic = {
    router: 'gateway-api (fake API server, controller accepts after 20 ms)',
    rows,
  };
  console.log(
    '\n| traffic, Gateway API HTTPRoute via @kubernetes/client-node (median of 5) | wall time | API requests |',
  );
  console.log('|---|---|---|');
  console.log(
    `| shift 0% → 10% (read, readiness, patch, verify, mark done) | ${med((r) => r.shift.ms).toFixed(0)} ms | ${med((r) => r.shift.calls)} |`,
  );
  console.log(
    `| traffic rollback 10% → 0% | ${med((r) => r.rollback.ms).toFixed(0)} ms | ${med((r) => r.rollback.calls)} |`,
  );
}

{
  // deploy-stack's scheduler on the Lightning Talk Circle plan (7 stacks, 3 waves), with
  // CloudFormation's timing played by the in-memory engine on a shared virtual timeline:
  // makespan against the critical path, API calls per stack-minute of waiting, and how late a
  // finished stack is noticed. Five runs with real jitter.
  const { deployStacks } = await import('../packages/stacks/src/index.ts');
  const { MemoryStackEngine, createEventClock } =
    await import('../test/support/memory-stack-engine.ts');
  const minutes = {
    Database: 10,
    Security: 5,
    Api: 8,
    StaticSite: 4,
    Monitoring: 3,
    Observability: 3.5,
    DisasterRecovery: 5,
  };
  const deps = {
    Api: ['Database', 'Security'],
    StaticSite: ['Api'],
    Monitoring: ['StaticSite'],
    Observability: ['StaticSite'],
    DisasterRecovery: ['StaticSite'],
  };
  const critical = (10 + 8 + 4 + 5) * 60_000;
  const sum = Object.values(minutes).reduce((a, b) => a + b, 0) * 60_000;
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const clock = createEventClock(0);
    const engine = new MemoryStackEngine(
      clock,
      Object.fromEntries(
        Object.entries(minutes).map(([name, m]) => [name, { deployMs: m * 60_000 }]),
      ),
    );
    const specs = Object.keys(minutes).map((name) => ({
      name,
      template: `${name}.json`,
      parameters: {},
      parametersFile: undefined,
      tags: {},
      capabilities: [],
      roleArn: undefined,
      terminationProtection: false,
      rollbackTriggers: undefined,
      notificationArns: [],
      dependsOn: deps[name] ?? [],
    }));
    const outcome = await deployStacks(specs, engine, {
      clock,
      readFile: () => Promise.resolve('{}'),
      runId: `bench-${i}`,
      parallelism: 4,
    });
    if (!outcome.ok) throw new Error('bench deploy failed');
    const waitCalls = engine.log.filter((call) => call.method === 'stackEvents').length;
    const stackMinutes = Object.values(minutes).reduce((a, b) => a + b, 0);
    const lateness = Object.keys(minutes).map((name) => {
      const done = engine.finishedAt(name) ?? 0;
      const seen = engine.callsOf(name, 'stackEvents').find((call) => call.at >= done);
      return (seen?.at ?? done) - done;
    });
    runs.push({
      makespan: clock.now(),
      waitCalls,
      perStackMinute: waitCalls / stackMinutes,
      lateness: Math.max(...lateness),
      meanLateness: lateness.reduce((a, b) => a + b, 0) / lateness.length,
    });
  }
  const m = (key) => median(runs.map((r) => r[key]));
  results.stacks = { critical, sum, runs };
  console.log(
    '\n| deploy-stack, Lightning Talk Circle (7 stacks, 3 waves, CloudFormation timing simulated) | median of 5 |',
  );
  console.log('|---|---|');
  console.log(
    `| critical path / sum of stack times | ${(critical / 60_000).toFixed(1)} min / ${(sum / 60_000).toFixed(1)} min |`,
  );
  console.log(
    `| makespan | ${(m('makespan') / 60_000).toFixed(2)} min (${((m('makespan') / critical - 1) * 100).toFixed(1)}% over the critical path) |`,
  );
  console.log(
    `| status polls while waiting | ${m('waitCalls')} (${m('perStackMinute').toFixed(2)} per stack-minute) |`,
  );
  console.log(
    `| stack finished → noticed | mean ${(m('meanLateness') / 1000).toFixed(1)} s, worst ${(m('lateness') / 1000).toFixed(1)} s (poll 5 s growing to 15 s) |`,
  );
}
writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2));

{
  // rollback: the action's main() against the fakes, traffic (Gateway API HTTPRoute, controller
  // accepting after 20 ms) and the candidate Deployment scaled to 0, in real time; then the
  // stacks restore on CloudFormation's timing (in-memory engine, virtual clock; a redeploy of
  // the recorded template takes as long as the deploy did). Against the seed targets: traffic
  // < 2 min, full < 15 min.
  const { mkdtempSync: tempDir, readFileSync, writeFileSync: write } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { systemClock } = await import('../packages/kit/src/index.ts');
  const { createMemoryKit } = await import('../packages/action-kit/src/index.ts');
  const { createTargets } = await import('../packages/routers/src/index.ts');
  const { shiftTraffic } = await import('../packages/traffic/src/index.ts');
  const { restoreStacks } = await import('../packages/stacks/src/index.ts');
  const { main } = await import('../actions/rollback/src/main.ts');
  const { KubeClient } = await import('../packages/kubernetes/src/index.ts');
  const { FakeKubernetes } = await import('../test/support/fake-kubernetes.ts');
  const { MemoryStackEngine, createEventClock } =
    await import('../test/support/memory-stack-engine.ts');
  const kube = await new FakeKubernetes().start();
  for (const service of ['blue', 'green'])
    kube.put({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: service,
        namespace: 'production',
        labels: { 'kubernetes.io/service-name': service },
      },
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
    });
  const deployment = (colour) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: `shop-${colour}`,
      namespace: 'production',
      labels: { 'cutover.dev/colour': colour },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'shop' } },
      template: {
        metadata: { labels: { app: 'shop' } },
        spec: { containers: [{ name: 'shop', image: 'shop' }] },
      },
    },
  });
  const router = {
    kind: 'gateway-api',
    name: 'shop',
    namespace: 'production',
    stable: 'blue',
    candidate: 'green',
    kubeconfig: kube.kubeconfig,
  };
  const workspace = tempDir(join(tmpdir(), 'cutover-bench-rollback-'));
  write(
    join(workspace, 'plan.yaml'),
    `version: 1\nname: shop\nstrategy: phased\ntarget: { kind: kubernetes, name: shop }\nrouter: ${JSON.stringify(router)}\nmetrics: { provider: file, path: m.yaml }\nsteps: [{ weight: 10, bake: 1h }, { weight: 100, bake: 1h }]\ngates: {}\nworkload: { manifests: [green.json], namespace: production, colour: green }\nrollback: { traffic-timeout: 2m, max-time-to-stable: 15m }\n`,
  );
  write(join(workspace, 'green.json'), JSON.stringify(deployment('green')));
  const live = [];
  for (let i = 0; i < 5; i++) {
    kube.put({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'shop', namespace: 'production' },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'blue', weight: 100 },
              { name: 'green', weight: 0 },
            ],
          },
        ],
      },
    });
    kube.put(deployment('green'));
    const { targets } = createTargets(router, { clock: systemClock, resolvePath: (p) => p });
    await shiftTraffic(targets, 10, {
      runId: `bench-${i}`,
      planSteps: [10, 100],
      force: false,
      clock: systemClock,
      verifyTimeoutMs: 10_000,
      verifyIntervalMs: 25,
      log: () => undefined,
    });
    const kit = createMemoryKit({
      inputs: { plan: 'plan.yaml', scope: 'traffic, workload', 'check-stable': 'false' },
      env: { GITHUB_WORKSPACE: workspace, GITHUB_RUN_ID: `9${i}`, GITHUB_RUN_ATTEMPT: '1' },
      clock: systemClock,
    });
    const before = kube.requests.length;
    const started = performance.now();
    await main(kit, {
      readFile: (path) => readFileSync(path, 'utf8'),
      readRecord: () => Promise.resolve(undefined),
      onCancel: () => undefined,
      stackEngine: () => Promise.reject(new Error('no stacks in this bench')),
      workloadClient: (options) =>
        Promise.resolve(new KubeClient({ ...options, kubeconfig: kube.kubeconfig })),
      metricsSource: () => Promise.reject(new Error('no stable check in this bench')),
    });
    const phases = JSON.parse(kit.outputs.phases);
    live.push({
      wallMs: performance.now() - started,
      calls: kube.requests.length - before,
      trafficMs: phases.find((p) => p.phase === 'traffic').durationMs,
      workloadMs: phases.find((p) => p.phase === 'workload').durationMs,
    });
  }
  await kube.stop();
  // Stacks on CloudFormation's timing: the Lightning Talk Circle app tier a blue/green cutover
  // changes (Api, then StaticSite which depends on it), and the worst case, all seven stacks.
  const minutes = {
    Database: 10,
    Security: 5,
    Api: 8,
    StaticSite: 4,
    Monitoring: 3,
    Observability: 3.5,
    DisasterRecovery: 5,
  };
  const deps = {
    Api: ['Database', 'Security'],
    StaticSite: ['Api'],
    Monitoring: ['StaticSite'],
    Observability: ['StaticSite'],
    DisasterRecovery: ['StaticSite'],
  };
  const restore = async (names) => {
    const clock = createEventClock(0);
    const engine = new MemoryStackEngine(
      clock,
      Object.fromEntries(
        names.map((n) => [
          n,
          { existing: { status: 'UPDATE_COMPLETE' }, deployMs: minutes[n] * 60_000 },
        ]),
      ),
    );
    const specs = names.map((name) => ({
      name,
      template: `${name}.json`,
      parameters: {},
      parametersFile: undefined,
      tags: {},
      capabilities: [],
      roleArn: undefined,
      terminationProtection: false,
      rollbackTriggers: undefined,
      notificationArns: [],
      dependsOn: deps[name] ?? [],
    }));
    const records = names.map((name) => ({
      name,
      existed: true,
      previousTemplate: '{}',
      previousParameters: {},
      previousTags: {},
    }));
    const outcome = await restoreStacks(records, engine, { clock, runId: 'bench', specs });
    if (!outcome.ok) throw new Error('bench restore failed');
    return { ms: clock.now(), calls: engine.calls };
  };
  const appTier = await restore(['Api', 'StaticSite']);
  const everything = await restore(Object.keys(minutes));
  const m = (key) => median(live.map((r) => r[key]));
  const full = (stacksMs) => m('trafficMs') + m('workloadMs') + stacksMs;
  results.rollback = {
    live,
    appTier,
    everything,
    targets: { trafficMs: 120_000, fullMs: 900_000 },
  };
  const verdict = (ms, target) => (ms <= target ? 'met' : 'MISSED');
  console.log(
    '\n| rollback (action main(), fakes; stacks on simulated CloudFormation timing) | median of 5 | seed target |',
  );
  console.log('|---|---|---|');
  console.log(
    `| traffic phase: HTTPRoute 10% → 0%, verified | ${m('trafficMs').toFixed(0)} ms | < 2 min: ${verdict(m('trafficMs'), 120_000)} |`,
  );
  console.log(
    `| workload phase: candidate Deployment to 0 replicas | ${m('workloadMs').toFixed(0)} ms | |`,
  );
  console.log(
    `| action wall time (traffic + workload), Kubernetes API requests | ${m('wallMs').toFixed(0)} ms, ${m('calls')} requests | |`,
  );
  console.log(
    `| stacks: app tier (Api 8 min → StaticSite 4 min, dependents first) | ${(appTier.ms / 60_000).toFixed(1)} min, ${appTier.calls} API calls | |`,
  );
  // The seeds' targets: NextEvent (Kubernetes) wants traffic back in < 2 min and the whole
  // system in < 15 min; Lightning Talk Circle diverts traffic within 15 minutes and gives the
  // stack rollback the 15-60 minute window ("Rollback Execution").
  console.log(
    `| NextEvent full rollback (traffic + workload) | ${(m('wallMs') / 1000).toFixed(1)} s | < 15 min: ${verdict(m('wallMs'), 900_000)} |`,
  );
  console.log(
    `| full rollback, app tier | ${(full(appTier.ms) / 60_000).toFixed(1)} min | < 15 min: ${verdict(full(appTier.ms), 900_000)} |`,
  );
  console.log(
    `| stacks: all seven (critical path 27 min) | ${(everything.ms / 60_000).toFixed(1)} min, ${everything.calls} API calls | |`,
  );
  console.log(
    `| LTC full rollback, all seven stacks | ${(full(everything.ms) / 60_000).toFixed(1)} min | within LTC's 60-min execution window: ${verdict(full(everything.ms), 3_600_000)}; < 15 min: ${verdict(full(everything.ms), 900_000)} |`,
  );
}
{
  // The end-to-end scene (issue 13): blue and green behind a real HAProxy, a real Prometheus
  // scraping every second, autocannon at 200 requests/s, and phased-cutover.yml executed by
  // the workflow harness with the seed's three rules (for 2s, interval 1s). One healthy run
  // (requests failed during the shifts) and one where green fails at 50% (breach → blue).
  const { startCutoverScene, unexplainedFailures } =
    await import('../test/support/scene/cutover.ts');
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const world = await startCutoverScene();
  try {
    await world.reset();
    let load = world.load();
    let watch = world.watchWeights();
    const healthy = await world.cutover();
    const healthyMoves = await watch.stop();
    const healthyCounts = await load.stop();

    await world.reset();
    load = world.load();
    watch = world.watchWeights();
    let faultAt;
    const injecting = (async () => {
      while ((await world.router.read()).weights.candidate !== 50) await pause(50);
      await world.scene.green.setFault({ errorRate: 0.5 });
      faultAt = Date.now();
    })();
    const failing = await world.cutover();
    await injecting;
    const failingMoves = await watch.stop();
    const failingCounts = await load.stop();
    const backAt = failingMoves.at(-1)?.green === 0 ? failingMoves.at(-1).at : undefined;
    const breachToBlueS =
      backAt === undefined || faultAt === undefined ? undefined : (backAt - faultAt) / 1000;
    results.scene = {
      healthy: {
        result: healthy.result,
        moves: healthyMoves.map((m) => m.green),
        requests: healthyCounts.responses,
        failed: healthyCounts.failed,
      },
      breach: {
        result: failing.result,
        moves: failingMoves.map((m) => m.green),
        breachToBlueS,
        goalS: 2 + 1 + 5,
        requests: failingCounts.responses,
        failedByFault: failingCounts.byStatus['500'] ?? 0,
        failedOtherwise: unexplainedFailures(failingCounts, '500'),
      },
    };
    console.log(
      '\n| the scene: phased-cutover.yml over real HAProxy + Prometheus, 200 req/s | value | goal |',
    );
    console.log('|---|---|---|');
    console.log(
      `| healthy run: weights | ${healthyMoves.map((m) => m.green).join(' → ')} (${healthy.result}) | 0 → 10 → 50 → 100 |`,
    );
    console.log(
      `| healthy run: requests failed during the shifts | ${healthyCounts.failed} of ${healthyCounts.responses} | 0 |`,
    );
    console.log(
      `| green fails at 50%: breach started → traffic back on blue | ${breachToBlueS === undefined ? 'not rolled back' : `${breachToBlueS.toFixed(1)} s`} | for 2 s + interval 1 s + < 5 s = 8 s |`,
    );
    console.log(
      `| green fails at 50%: requests failed other than green's own 500s | ${unexplainedFailures(failingCounts, '500')} of ${failingCounts.responses} | 0 |`,
    );
  } finally {
    await world.stop();
  }
}
writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2));
