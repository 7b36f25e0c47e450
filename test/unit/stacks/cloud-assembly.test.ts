import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import { readCloudAssembly, stackWaves } from '@cutover/stacks';

const fixtures = fileURLToPath(new URL('../../fixtures/cdk', import.meta.url));
const read = (path: string) => readFile(path, 'utf8');

describe('readCloudAssembly', () => {
  it('reads stacks, follows dependencies through asset artifacts and nested stages', async () => {
    const specs = await readCloudAssembly(`${fixtures}/ltc`, read);
    expect(specs.map((s) => [s.name, s.dependsOn])).toEqual([
      ['ltc-database', []],
      ['Api', ['ltc-database']],
      ['Prod-Observability', []],
      ['Prod-Monitoring', ['Prod-Observability']],
    ]);
    expect(specs[0]).toMatchObject({
      template: `${fixtures}/ltc/Database.template.json`,
      parameters: { DbInstanceClass: 'db.t4g.medium' },
      tags: { app: 'ltc' },
      terminationProtection: true,
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    });
    expect(specs[3]?.template).toBe(`${fixtures}/ltc/assembly-Prod/ProdMonitoring.template.json`);
    expect(await read(specs[3]?.template ?? '')).toContain('AWS::SNS::Topic');
  });

  it('names the manifest when it is missing or not JSON', async () => {
    await expect(readCloudAssembly(`${fixtures}/missing`, read)).rejects.toThrow(
      new RegExp(
        `^cloud assembly ${fixtures}/missing/manifest.json: cannot read it .*run "cdk synth" first`,
      ),
    );
    await expect(readCloudAssembly(`${fixtures}/broken`, read)).rejects.toBeInstanceOf(ConfigError);
    await expect(readCloudAssembly(`${fixtures}/broken`, read)).rejects.toThrow(
      `cloud assembly ${fixtures}/broken/manifest.json: not valid JSON`,
    );
  });

  it('refuses a manifest without artifacts or without stacks', async () => {
    const files: Record<string, string> = {
      'a/manifest.json': '{"version": "36.0.0"}',
      'b/manifest.json': '{"artifacts": {"Tree": {"type": "cdk:tree"}}}',
    };
    const memory = (path: string) => Promise.resolve(files[path] ?? '');
    await expect(readCloudAssembly('a', memory)).rejects.toThrow(
      'cloud assembly a/manifest.json: expected a manifest with an "artifacts" mapping, got no artifacts',
    );
    await expect(readCloudAssembly('b', memory)).rejects.toThrow(
      'cloud assembly b/manifest.json: no CloudFormation stacks',
    );
  });
});

describe('stages that depend on stacks', () => {
  it('makes every stack of a stage wait for what the stage depends on (the example assembly)', async () => {
    const dir = fileURLToPath(
      new URL('../../../examples/cdk/lightning-talk-circle/cdk.out', import.meta.url),
    );
    const specs = await readCloudAssembly(dir, read);
    expect(stackWaves(specs).map((wave) => [...wave].sort())).toEqual([
      ['LightningTalk-Database-prod', 'LightningTalk-Security-prod'],
      ['LightningTalk-Api-prod'],
      ['LightningTalk-StaticSite-prod'],
      [
        'LightningTalk-DisasterRecovery-prod',
        'LightningTalk-Monitoring-prod',
        'LightningTalk-Observability-prod',
      ],
    ]);
  });
});

describe('readCloudAssembly: stack names', () => {
  const manifest = (stackName: string) =>
    JSON.stringify({
      version: '36.0.0',
      artifacts: {
        Evil: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'Evil.template.json', stackName },
        },
      },
    });
  it.each([
    '../../etc',
    'Api\n::error::owned',
    '9-starts-with-digit',
    'a'.repeat(129),
    'Api_Stack',
  ])(
    'refuses the stack name %j from a hand-edited manifest, naming the artifact and the rule',
    async (name) => {
      const readManifest = (path: string) =>
        path.endsWith('manifest.json') ? Promise.resolve(manifest(name)) : read(path);
      const failure = await readCloudAssembly('/assembly', readManifest).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as Error).message).toContain('stack artifact "Evil" has the stack name');
      expect((failure as Error).message).toContain(
        'expected a letter, then letters, digits or "-"',
      );
      expect((failure as Error).message).not.toContain('\n');
    },
  );
});
