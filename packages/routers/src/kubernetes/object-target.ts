import { shareOf, type Weights } from '@cutover/plan';
import {
  MARKER_KEY,
  decodeMarker,
  encodeMarker,
  type Marker,
  type RouterTarget,
  type TargetState,
} from '@cutover/traffic';
import { describe, type KubeClient, type KubeObject, type ObjectRef } from '@cutover/kubernetes';

/**
 * The shared part of every Kubernetes router: read the object, keep its resourceVersion,
 * write weights and the marker annotation in one JSON merge patch that carries
 * metadata.resourceVersion (the API server answers 409 if the object moved on).
 * A subclass says where the weights live; a patch that touches a list carries the whole list.
 */
export abstract class KubernetesObjectTarget implements RouterTarget {
  readonly description: string;
  readonly allOrNothing: boolean = false;
  private lastRead: KubeObject | undefined;

  constructor(
    protected readonly client: KubeClient,
    protected readonly ref: ObjectRef,
    protected readonly backends: { stable: string; candidate: string },
    /** Services whose EndpointSlices say whether each backend can take traffic. */
    protected readonly readinessServices: { stable: string; candidate: string },
  ) {
    this.description = describe(ref);
  }

  protected abstract weightsOf(object: KubeObject): Weights;
  protected abstract patchFor(object: KubeObject, weights: Weights): Record<string, unknown>;

  async readiness(): Promise<{ stable: boolean; candidate: boolean }> {
    const [stable, candidate] = await Promise.all([
      this.client.endpointsReady(this.ref.namespace, this.readinessServices.stable),
      this.client.endpointsReady(this.ref.namespace, this.readinessServices.candidate),
    ]);
    return { stable, candidate };
  }

  async read(): Promise<TargetState> {
    const object = await this.client.get(this.ref);
    this.lastRead = object;
    return {
      weights: this.weightsOf(object),
      marker: decodeMarker(object.metadata?.annotations?.[MARKER_KEY], this.description),
      version: object.metadata?.resourceVersion ?? '',
    };
  }

  async write(weights: Weights, marker: Marker, version: string): Promise<void> {
    const object =
      this.lastRead?.metadata?.resourceVersion === version
        ? this.lastRead
        : await this.client.get(this.ref);
    const patch = this.patchFor(object, weights);
    const metadata = (patch.metadata ?? {}) as { annotations?: Record<string, string> };
    await this.client.mergePatch(this.ref, {
      ...patch,
      metadata: {
        ...metadata,
        resourceVersion: version,
        annotations: { ...metadata.annotations, [MARKER_KEY]: encodeMarker(marker) },
      },
    });
  }

  /** By default the spec is the effect; routers with a controller status override this. */
  effective(_weights: Weights): Promise<{ effective: boolean; detail: string }> {
    return Promise.resolve({ effective: true, detail: 'spec updated' });
  }

  protected percent(stable: number, candidate: number): Weights {
    return shareOf(stable, candidate, this.description);
  }
}
