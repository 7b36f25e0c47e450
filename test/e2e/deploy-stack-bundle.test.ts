import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCloudFormation } from '../support/fake-cloudformation.js';

/** The committed deploy-stack bundle, run as the runner runs it, against CloudFormation on loopback. */
const bundle = fileURLToPath(new URL('../../dist/deploy-stack/index.js', import.meta.url));
const examples = fileURLToPath(new URL('../../examples', import.meta.url));
let cfn: FakeCloudFormation;

beforeAll(async () => {
  cfn = await new FakeCloudFormation().start();
  cfn.stepMs = 3;
});
afterAll(async () => {
  await cfn.stop();
});

async function runBundle(
  inputs: Record<string, string>,
  options: { signalWhen?: (stdout: string) => boolean } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-deploy-e2e-'));
  cpSync(examples, join(dir, 'examples'), { recursive: true });
  const outputFile = join(dir, 'output');
  writeFileSync(outputFile, '');
  writeFileSync(join(dir, 'summary.md'), '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    RUNNER_TEMP: dir,
    // The SDK's own service-specific endpoint setting: no test hook in the action.
    AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    // Defaults GitHub would apply from action.yml.
    INPUT_MODE: 'deploy',
    INPUT_PARALLELISM: '3',
    'INPUT_ALLOW-RECREATE': 'false',
    'INPUT_ON-BUSY': 'wait',
    'INPUT_BUSY-TIMEOUT': '30m',
    INPUT_TIMEOUT: '60m',
    'INPUT_CANCEL-ON-TIMEOUT': 'false',
    'INPUT_ROLLBACK-RECORD': '${{ runner.temp }}/cutover-rollback-record.json',
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(process.execPath, [bundle], { env });
  let stdout = '';
  let signalled = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    // The runner cancels a job with SIGINT, then SIGTERM.
    if (!signalled && options.signalWhen?.(stdout) === true) {
      signalled = true;
      child.kill('SIGTERM');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const outputs: Record<string, string> = {};
  for (const match of readFileSync(outputFile, 'utf8').matchAll(
    /^([\w-]+)<<(.+)\n([\s\S]*?)\n\2$/gm,
  ))
    outputs[match[1] ?? ''] = match[3] ?? '';
  return { code, stdout, outputs, summary: readFileSync(join(dir, 'summary.md'), 'utf8'), dir };
}

describe('the deploy-stack bundle', () => {
  it('fails fast on a bad input, naming it, before loading the AWS SDK', async () => {
    const run = await runBundle({
      plan: 'examples/plans/lightning-talk-circle-blue-green.yaml',
      parallelism: '0',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::input 'parallelism'");
    expect(cfn.calls.size).toBe(0);
  });

  it('creates a stack through a change set and writes the outputs and the rollback record', async () => {
    const run = await runBundle({
      plan: 'examples/plans/lightning-talk-circle-blue-green.yaml',
      stacks: 'LightningTalk-Database-prod',
      region: 'ap-northeast-1',
    });
    expect(run.stdout).toContain('LightningTalk-Database-prod: deployed');
    expect(run.code).toBe(0);
    expect(run.outputs.changed).toBe('true');
    expect(JSON.parse(run.outputs.results ?? '[]')).toEqual([
      expect.objectContaining({ name: 'LightningTalk-Database-prod', status: 'deployed' }),
    ]);
    expect(run.outputs['rollback-record']).toBe(join(run.dir, 'cutover-rollback-record.json'));
    expect(run.summary).toContain('| Add | Vpc | AWS::EC2::VPC |');
    expect(cfn.stack('LightningTalk-Database-prod')?.status).toBe('CREATE_COMPLETE');
  }, 60_000);

  it('on SIGTERM stops waiting at once and still writes changed, the results and the rollback record', async () => {
    cfn.stepMs = 2000;
    try {
      const run = await runBundle(
        {
          plan: 'examples/plans/lightning-talk-circle-blue-green.yaml',
          stacks: 'LightningTalk-Security-prod',
          region: 'ap-northeast-1',
        },
        { signalWhen: (out) => out.includes('executing the CREATE change set') },
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        'still in flight on CloudFormation: LightningTalk-Security-prod',
      );
      // It left before CloudFormation finished: it did not sit out the poll interval or the stack.
      expect(cfn.stack('LightningTalk-Security-prod')?.status).toBe('CREATE_IN_PROGRESS');
      expect(run.outputs.changed).toBe('true');
      expect(JSON.parse(run.outputs.results ?? '[]')).toEqual([
        expect.objectContaining({ name: 'LightningTalk-Security-prod', status: 'in-flight' }),
      ]);
      expect(JSON.parse(readFileSync(run.outputs['rollback-record'] ?? '', 'utf8'))).toEqual({
        stacks: [expect.objectContaining({ name: 'LightningTalk-Security-prod', existed: false })],
      });
    } finally {
      cfn.stepMs = 3;
    }
  }, 60_000);
});
