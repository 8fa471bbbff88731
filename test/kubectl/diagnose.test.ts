import { describe, expect, it } from 'vitest';
import { diagnoseManifests, type Finding } from '../../src/kubectl/diagnose.js';
import { deployment, docs, nodePortService, pod, tutorialDocs } from '../support/manifests.js';

const errors = (findings: readonly Finding[]) => findings.filter((f) => f.severity === 'error');
const probe = { readinessProbe: { httpGet: { path: '/healthz', port: 80 } } };

describe('diagnose on the tutorial manifests', () => {
  it('finds no error, only the missing readiness probe the best practices ask for', () => {
    const { findings } = diagnoseManifests(tutorialDocs(), { nodes: 3 });
    expect(errors(findings)).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', object: 'Deployment default/nginx-deployment' });
    expect(findings[0].message).toMatch(/no readinessProbe/);
  });
});

describe('scenario 1: label mismatch between selector and pod labels', () => {
  const input = docs(deployment('nginx-deployment', 3, { app: 'web' }, [{ containerPort: 80 }], probe), nodePortService('nginx-nodeport', { app: 'nginx' }, { nodePort: 30080 }));

  it('names the selector, the pods that nearly match and their labels', () => {
    const [finding] = errors(diagnoseManifests(input).findings);
    expect(finding.object).toBe('Service default/nginx-nodeport');
    expect(finding.message).toContain('selector app=nginx matches no pod');
    expect(finding.message).toContain('nginx-deployment-0, nginx-deployment-1, nginx-deployment-2 have app=web');
  });

  it('offers the tutorial fixes: patch the selector or relabel the pods', () => {
    const [finding] = errors(diagnoseManifests(input).findings);
    expect(finding.fix).toContain(`kubectl patch service nginx-nodeport -p '{"spec":{"selector":{"app":"web"}}}'`);
    expect(finding.fix).toContain('kubectl label pods -l app=web app=nginx --overwrite');
  });

  it('reports it once, not again as a missing endpoint', () => {
    expect(errors(diagnoseManifests(input).findings)).toHaveLength(1);
  });
});

describe('scenario 3: targetPort does not match the containerPort', () => {
  it('reports targetPort 8080 when the containers listen on 80, with the tutorial patch', () => {
    const input = docs(deployment('nginx-deployment', 3, { app: 'nginx' }, [{ containerPort: 80 }], probe), nodePortService('nginx-nodeport', { app: 'nginx' }, { targetPort: 8080, nodePort: 30080 }));
    const found = errors(diagnoseManifests(input).findings);
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/targetPort 8080\/TCP .* not a containerPort .*80\/TCP/);
    expect(found[0].fix).toBe(`kubectl patch service nginx-nodeport --type='json' -p='[{"op":"replace","path":"/spec/ports/0/targetPort","value":80}]'`);
  });

  it('reports a named targetPort that no container port carries', () => {
    const input = docs(deployment('web', 2, { app: 'web' }, [{ containerPort: 80, name: 'web' }], probe), nodePortService('svc', { app: 'web' }, { targetPort: 'http' }));
    const found = errors(diagnoseManifests(input).findings);
    expect(found.map((f) => f.message).join('\n')).toMatch(/named targetPort "http" .* not a container port name of any selected pod/);
  });

  it('accepts a named targetPort that resolves', () => {
    const input = docs(deployment('web', 2, { app: 'web' }, [{ containerPort: 80, name: 'http' }], probe), nodePortService('svc', { app: 'web' }, { targetPort: 'http' }));
    expect(diagnoseManifests(input).findings).toEqual([]);
  });
});

describe('nodePorts', () => {
  it('reports a nodePort outside the range with the apiserver words', () => {
    const input = docs(deployment('web', 1, { app: 'web' }, [{ containerPort: 80 }], probe), nodePortService('svc', { app: 'web' }, { nodePort: 8888 }));
    const [finding] = errors(diagnoseManifests(input).findings);
    expect(finding.message).toContain('provided port is not in the valid range. The range of valid ports is 30000-32767');
  });

  it('reports a nodePort used by two services', () => {
    const input = docs(
      deployment('web', 1, { app: 'web' }, [{ containerPort: 80 }], probe),
      nodePortService('a', { app: 'web' }, { nodePort: 30080 }),
      nodePortService('b', { app: 'web' }, { nodePort: 30080 }),
    );
    const [finding] = errors(diagnoseManifests(input).findings);
    expect(finding.object).toBe('Service default/b');
    expect(finding.message).toContain('nodePort 30080 is used by 2 services (default/a, default/b)');
  });
});

describe('endpoints and readiness', () => {
  it('reports a service whose selected pods are all not Ready (scenario 4, CrashLoopBackOff)', () => {
    const crashing = {
      ...pod('nginx-abc', { app: 'nginx' }, undefined, [{ containerPort: 80 }], false),
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [{ name: 'app', restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    };
    const found = errors(diagnoseManifests(docs(crashing, nodePortService('svc', { app: 'nginx' }, { nodePort: 30080 }))).findings);
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/port 80 has no ready endpoint.*30080.*nginx-abc \(CrashLoopBackOff\)/);
  });

  it('warns about nodes without a local endpoint under externalTrafficPolicy Local', () => {
    const input = docs(deployment('web', 2, { app: 'web' }, [{ containerPort: 80 }], probe), nodePortService('svc', { app: 'web' }, { nodePort: 30080 }, { externalTrafficPolicy: 'Local' }));
    const { findings } = diagnoseManifests(input, { nodes: 3 });
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe('warning');
    expect(findings[0].message).toMatch(/1 of 3 nodes \(node-3\) have no ready local endpoint: NodePort 30080 traffic arriving there is dropped/);
  });

  it('warns about nodes without a local endpoint under internalTrafficPolicy Local, for the ClusterIP', () => {
    const input = docs(deployment('web', 2, { app: 'web' }, [{ containerPort: 80 }], probe), nodePortService('svc', { app: 'web' }, { nodePort: 30080 }, { internalTrafficPolicy: 'Local' }));
    const { findings } = diagnoseManifests(input, { nodes: 3 });
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe('warning');
    expect(findings[0].message).toMatch(/internalTrafficPolicy is Local and 1 of 3 nodes \(node-3\) have no ready local endpoint: pods and processes there calling the ClusterIP are dropped/);
  });

  it('says nothing about Local when every node has a pod', () => {
    const input = docs(deployment('web', 3, { app: 'web' }, [{ containerPort: 80 }], probe), nodePortService('svc', { app: 'web' }, {}, { externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local' }));
    expect(diagnoseManifests(input, { nodes: 3 }).findings).toEqual([]);
  });
});
