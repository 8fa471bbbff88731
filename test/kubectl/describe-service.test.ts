import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { describeService } from '../../src/kubectl/describe-service.js';
import { deployment, docs, nodePortService } from '../support/manifests.js';
import { tutorialAsApplied } from './tutorial-as-applied.js';

const lines = (text: string) => text.trimEnd().split('\n');

describe('kubectl describe service', () => {
  // The tutorial's `kubectl describe service nginx-nodeport`, without its leading `# `.
  const tutorialDescribe = [
    'Name:                     nginx-nodeport',
    'Namespace:                default',
    'Labels:                   app=nginx',
    'Selector:                 app=nginx',
    'Type:                     NodePort',
    'IP Family Policy:         SingleStack',
    'IP Families:              IPv4',
    'IP:                       10.96.175.233',
    'IPs:                      10.96.175.233',
    'Port:                     http  80/TCP',
    'TargetPort:               80/TCP',
    'NodePort:                 http  30080/TCP',
    'Endpoints:                10.244.0.5:80,10.244.1.3:80,10.244.2.7:80',
    'Session Affinity:         None',
    'External Traffic Policy:  Cluster',
    'Events:                   <none>',
  ];

  it('prints every line of the tutorial output verbatim and in the same order', () => {
    const out = lines(describeService(tutorialAsApplied(), 'nginx-nodeport') as string);
    const positions = tutorialDescribe.map((l) => out.indexOf(l));
    expect(positions.every((p) => p >= 0), out.join('\n')).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('adds the lines real kubectl prints that the tutorial left out', () => {
    const out = lines(describeService(tutorialAsApplied(), 'nginx-nodeport') as string);
    expect(out).toContain('Annotations:              <none>');
    expect(out).toContain('Internal Traffic Policy:  Cluster');
    expect(out).toHaveLength(tutorialDescribe.length + 2);
  });

  it('leaves Endpoints empty when no endpoint is ready', () => {
    const cluster = buildCluster(docs(deployment('web', 3, { app: 'web' }), nodePortService('svc', { app: 'nginx' }))).cluster;
    expect(lines(describeService(cluster, 'svc') as string)).toContain('Endpoints:                ');
  });

  it('returns undefined for a service that does not exist', () => {
    expect(describeService(tutorialAsApplied(), 'nope')).toBeUndefined();
  });
});
