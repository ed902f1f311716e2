// The integration story of the chart: a workload chart lists it as a
// dependency (alias lfcs) and builds its pods from the public named templates
// with a dict context (README). The fixture in fixtures/workload does exactly
// that; `helm dependency build` vendors the lfcs chart through its file://
// repository and `helm template` renders both, as a user's install would.
import { describe, expect, it } from 'vitest';
import { containerNamed, findManifest, podSpecOf, render, renderOk, workloadChartDir as workloadChart, type Manifest } from './helpers.js';

function renderWorkload(values: Record<string, unknown>[] = []): Manifest[] {
  return renderOk({ chart: workloadChart, name: 'shop', values });
}

describe('a workload chart including the named templates', () => {
  it('renders its pod with the sidecar, and the lfcs objects with matching names', () => {
    const manifests = renderWorkload();
    const spec = podSpecOf(findManifest(manifests, 'Deployment', 'shop-workload'));
    expect(containerNamed(spec.initContainers, 'lfcs')['restartPolicy']).toBe('Always');
    const configMapVolume = spec.volumes.find((v: { name: string }) => v.name === 'lfcs-config');
    expect(findManifest(manifests, 'ConfigMap', configMapVolume.configMap.name)).toBeDefined();
    expect(findManifest(manifests, 'ServiceAccount', spec.serviceAccountName).metadata['annotations']).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/shop-lfcs',
    });
  });

  it('lets each consumer pick its profile through the include context', () => {
    const spec = podSpecOf(findManifest(renderWorkload(), 'Deployment', 'shop-workload'));
    const uriOf = (name: string): string =>
      containerNamed(spec.containers, name)['env'].find((e: { name: string }) => e.name === 'AWS_CONTAINER_CREDENTIALS_FULL_URI').value;
    expect(uriOf('app')).toBe('http://127.0.0.1:9180/v1/credentials/orders');
    expect(uriOf('reporter')).toBe('http://127.0.0.1:9180/v1/credentials/events');
  });

  it('annotates the pod with the config checksum and the consumer containers to keep IRSA out of', () => {
    const manifests = renderWorkload();
    const annotations = findManifest(manifests, 'Deployment', 'shop-workload')['spec']['template']['metadata']['annotations'];
    expect(annotations['eks.amazonaws.com/skip-containers']).toBe('app,reporter');
    expect(annotations['checksum/lfcs-config']).toMatch(/^[a-f0-9]{64}$/);
  });

  it('switches the sidecar to containers when the parent sets lfcs.sidecar.mode=classic', () => {
    const spec = podSpecOf(findManifest(renderWorkload([{ lfcs: { sidecar: { mode: 'classic' } } }]), 'Deployment', 'shop-workload'));
    expect(spec.initContainers).toBeUndefined();
    expect(spec.containers.map((c: { name: string }) => c.name)).toEqual(['lfcs', 'app', 'reporter']);
  });

  it('checks the cluster version through the Capabilities passed in the context', () => {
    const result = render({ chart: workloadChart, name: 'shop', kubeVersion: 'v1.28.0' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/sidecar\.mode=native needs Kubernetes >= 1\.29/);
  });
});
