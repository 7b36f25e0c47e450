import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import {
  COLOUR_LABEL,
  type KubeObject,
  describeEvents,
  describePods,
  labelSelectorOf,
  parseManifests,
  prepareCandidate,
} from '@cutover/kubernetes';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-green, labels: {app: shop}}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: shop, image: shop:1}]}
`;
const service = `apiVersion: v1
kind: Service
metadata: {name: shop}
spec: {selector: {app: shop}}
`;
const none = () => undefined;
const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};
const at = (object: KubeObject | undefined, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], object);

describe('parseManifests', () => {
  it('reads every document of a multi-document file, skipping empty ones and flattening a List', () => {
    const objects = parseManifests(
      `${deployment}---\n---\n${service}---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: shop-config}}\n`,
      'k8s/shop.yaml',
    );
    expect(objects.map((o) => `${o.kind ?? ''}/${o.metadata?.name ?? ''}`)).toEqual([
      'Deployment/shop-green',
      'Service/shop',
      'ConfigMap/shop-config',
    ]);
  });

  it('refuses a manifest without apiVersion, kind or metadata.name, naming the document', () => {
    for (const [text, message] of [
      [
        `${service}---\nkind: Deployment\nmetadata: {name: x}\n`,
        'k8s/shop.yaml document 2: missing apiVersion (got kind "Deployment"); every manifest needs apiVersion, kind and metadata.name',
      ],
      [
        `apiVersion: v1\nmetadata: {name: x}\n`,
        'k8s/shop.yaml document 1: missing kind (got apiVersion "v1")',
      ],
      [
        `${service}---\n${deployment}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n`,
        'k8s/shop.yaml document 3: missing metadata.name (got apiVersion "v1", kind "ConfigMap")',
      ],
      [`- just\n- a list\n`, 'k8s/shop.yaml document 1: expected a Kubernetes object, got a list'],
      [`${service}---\nkind: [unclosed\n`, 'k8s/shop.yaml document 2: invalid YAML'],
      [
        `${service}---\n${service}`,
        'k8s/shop.yaml document 2: Service shop is already defined by k8s/shop.yaml document 1',
      ],
    ] as const) {
      const error = errorOf(() => parseManifests(text, 'k8s/shop.yaml'));
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toContain(message);
    }
  });
});

describe('prepareCandidate', () => {
  const [shop, svc] = parseManifests(`${deployment}---\n${service}`);
  const manifests = [shop, svc] as KubeObject[];

  it('labels the colour on every object, and on the pod template and selector of a new Deployment', () => {
    const [d, s] = prepareCandidate(manifests, { colour: 'green', existing: none });
    expect(at(d, 'metadata', 'labels')).toEqual({ app: 'shop', [COLOUR_LABEL]: 'green' });
    expect(at(d, 'spec', 'template', 'metadata', 'labels')).toEqual({
      app: 'shop',
      [COLOUR_LABEL]: 'green',
    });
    expect(at(d, 'spec', 'selector', 'matchLabels')).toEqual({
      app: 'shop',
      [COLOUR_LABEL]: 'green',
    });
    expect(at(s, 'metadata', 'labels')).toEqual({ [COLOUR_LABEL]: 'green' });
    // A Service's selector routes traffic: that is shift-traffic's job, never changed here.
    expect(at(s, 'spec', 'selector')).toEqual({ app: 'shop' });
    expect(at(shop, 'metadata', 'labels')).toEqual({ app: 'shop' });
  });

  it('leaves the immutable selector of an existing Deployment as it is live, keeping a colour it already selects', () => {
    const live = (matchLabels: Record<string, string>) => () =>
      ({ ...shop, spec: { selector: { matchLabels } } }) as KubeObject;
    const [without] = prepareCandidate(manifests, {
      colour: 'green',
      existing: live({ app: 'shop' }),
    });
    expect(at(without, 'spec', 'selector', 'matchLabels')).toEqual({ app: 'shop' });
    expect(at(without, 'spec', 'template', 'metadata', 'labels')).toEqual({
      app: 'shop',
      [COLOUR_LABEL]: 'green',
    });
    const [kept] = prepareCandidate(manifests, {
      colour: 'green',
      existing: live({ app: 'shop', [COLOUR_LABEL]: 'green' }),
    });
    expect(at(kept, 'spec', 'selector', 'matchLabels')).toEqual({
      app: 'shop',
      [COLOUR_LABEL]: 'green',
    });
  });

  it('refuses a Deployment whose live or written selector picks the other colour', () => {
    const live = () =>
      ({ ...shop, spec: { selector: { matchLabels: { [COLOUR_LABEL]: 'blue' } } } }) as KubeObject;
    const error = errorOf(() => prepareCandidate(manifests, { colour: 'green', existing: live }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain(
      'Deployment default/shop-green: its live selector picks cutover.dev/colour=blue, so its pods cannot be labelled green',
    );
    const [written] = parseManifests(
      deployment.replace(
        'matchLabels: {app: shop}',
        `matchLabels: {app: shop, ${COLOUR_LABEL}: blue}`,
      ),
    );
    expect(
      String(
        errorOf(() =>
          prepareCandidate([written as KubeObject], { colour: 'green', existing: none }),
        ),
      ),
    ).toContain('its written selector picks');
  });

  it('labels the pod templates of every workload kind, leaving a Job selector to the API server', () => {
    const objects = parseManifests(`apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: report, image: r:1}]}}}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {template: {spec: {containers: [{name: migrate, image: m:1}]}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache}
spec: {selector: {matchLabels: {app: cache}}, template: {metadata: {labels: {app: cache}}, spec: {containers: [{name: cache, image: c:1}]}}}
`);
    const [cron, job, sts] = prepareCandidate(objects, { colour: 'blue', existing: none });
    expect(at(cron, 'spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels')).toEqual({
      [COLOUR_LABEL]: 'blue',
    });
    expect(at(job, 'spec', 'template', 'metadata', 'labels')).toEqual({ [COLOUR_LABEL]: 'blue' });
    expect(at(job, 'spec', 'selector')).toBeUndefined();
    expect(at(sts, 'spec', 'selector', 'matchLabels')).toEqual({
      app: 'cache',
      [COLOUR_LABEL]: 'blue',
    });
  });

  it('sets the image of the only container, or of the named one, and refuses when it cannot tell which', () => {
    const [d] = prepareCandidate(manifests, {
      colour: 'green',
      image: 'registry.example.com/shop:2',
      existing: none,
    });
    expect(at(d, 'spec', 'template', 'spec', 'containers')).toEqual([
      { name: 'shop', image: 'registry.example.com/shop:2' },
    ]);
    const sidecar = parseManifests(
      deployment.replace('image: shop:1}', 'image: shop:1}, {name: proxy, image: envoy:1}'),
    );
    const [named] = prepareCandidate(sidecar, {
      colour: 'green',
      image: 'shop:2',
      container: 'shop',
      existing: none,
    });
    expect(at(named, 'spec', 'template', 'spec', 'containers')).toEqual([
      { name: 'shop', image: 'shop:2' },
      { name: 'proxy', image: 'envoy:1' },
    ]);
    for (const [options, message] of [
      [
        { image: 'shop:2' },
        'image: the manifests hold 2 containers (Deployment shop-green: shop; Deployment shop-green: proxy); name the one to set with the container input',
      ],
      [
        { image: 'shop:2', container: 'app' },
        'container: no container named "app" in the manifests',
      ],
      [{ image: 'shop: 2' }, 'image: expected an image reference like'],
      [{ image: '' }, 'image: expected an image reference like'],
    ] as const) {
      const error = errorOf(() =>
        prepareCandidate(sidecar, { colour: 'green', existing: none, ...options }),
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toContain(message);
    }
  });

  it('refuses a colour other than blue or green', () => {
    expect(
      String(
        errorOf(() => prepareCandidate(manifests, { colour: 'red' as 'blue', existing: none })),
      ),
    ).toContain('colour: expected one of blue, green, got "red"');
  });
});

describe('failure diagnostics', () => {
  it('names the unready conditions and waiting reasons of pods, and the newest events first, at most ten, redacted', () => {
    expect(
      describePods([
        {
          name: 'shop-1',
          phase: 'Pending',
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            {
              type: 'Ready',
              status: 'False',
              reason: 'ContainersNotReady',
              message: 'containers with unready status: [shop]',
            },
          ],
          containers: [
            {
              name: 'shop',
              ready: false,
              restarts: 3,
              waiting: { reason: 'CrashLoopBackOff' },
              lastTerminated: { reason: 'OOMKilled', exitCode: 137 },
            },
          ],
        },
        {
          name: 'shop-2',
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containers: [],
        },
      ]),
    ).toEqual([
      'pod shop-1 (Pending): Ready=False (ContainersNotReady: containers with unready status: [shop]); container shop waiting: CrashLoopBackOff, last terminated: OOMKilled (exit code 137), 3 restarts',
    ]);
    expect(describePods([])).toEqual(['no pods match its selector']);
    const events = Array.from({ length: 12 }, (_, i) => ({
      kind: 'Pod',
      name: 'shop-1',
      type: 'Warning',
      reason: `R${i}`,
      message: `pulling https://user:secret@registry.example.com/v2/\n  line ${i}`,
      count: i === 11 ? 4 : 1,
      time: Date.UTC(2025, 0, 1, 0, 0, i),
    }));
    const lines = describeEvents(events);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe(
      '2025-01-01T00:00:11Z Pod shop-1 Warning R11: pulling https://***@registry.example.com/v2/ line 11 (x4)',
    );
    expect(lines.join('\n')).not.toContain('secret');
  });

  it('spells a selector as the API takes it', () => {
    expect(
      labelSelectorOf({
        matchLabels: { app: 'shop' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'api'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=shop,tier in (web,api),!canary');
    expect(labelSelectorOf({})).toBeUndefined();
  });
});
