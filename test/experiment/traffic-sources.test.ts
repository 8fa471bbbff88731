// Where clients run, as the experiment file says it: the pairs refused before any run, with the
// path at fault, and the keys that reach the simulator.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadExperiment } from '../../src/cli/load-experiment.js';
import { checkPoint, sweepPoints } from '../../src/experiment/plan.js';
import { resolveCluster, simConfigFor } from '../../src/experiment/resolve.js';
import { InputError } from '../../src/input/problems.js';
import { buildServicePorts } from '../../src/proxy/service-map.js';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-sources-'));
const file = join(dir, 'e.yaml');
writeFileSync(file, stringify({ name: 'sources', durationS: 1, cluster: { nodes: 3, manifests: [resolve('experiments/manifests/nginx.yaml')] } }));

/** The issues (path: message) `run` would print before simulating, or [] when it would run. */
function issues(set: string[]): string[] {
  try {
    const { experiment, docs } = loadExperiment(file, { set });
    const points = sweepPoints(experiment);
    const found = points.flatMap((p) => checkPoint(p, file));
    if (found.length > 0) throw new InputError(found);
    for (const p of points) simConfigFor(p.experiment, resolveCluster(p.experiment, docs), 0);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
}

describe('traffic.source, traffic.sourceNodes, traffic.destination', () => {
  it('run as they are for pod and host clients calling a nodePort, the ClusterIP or (host) 127.0.0.1', () => {
    for (const set of [
      ['traffic.source=pod', 'traffic.destination=cluster-ip'],
      ['traffic.source=host', 'traffic.destination=localhost-node-port'],
      ['traffic.source=pod', 'traffic.destination=node-port-other-node', 'traffic.sourceNodes=[node-2]'],
    ]) {
      expect(issues(set), set.join(' ')).toEqual([]);
    }
  });

  it('refuse an in-cluster destination for external clients, naming the fix', () => {
    expect(issues(['traffic.destination=cluster-ip'])).toEqual([
      'traffic.destination: got cluster-ip: cluster-ip is reached from inside the cluster only: set traffic.source to pod or host, or traffic.destination to node-port',
    ]);
  });

  it('refuse 127.0.0.1 from a pod (its own loopback is not the node\'s)', () => {
    expect(issues(['traffic.source=pod', 'traffic.destination=localhost-node-port'])).toEqual([
      'traffic.destination: got localhost-node-port: localhost-node-port is called from the node itself: set traffic.source to host',
    ]);
  });

  it('refuse in-cluster clients in eBPF mode, at the sweep point that has them', () => {
    expect(issues(['traffic.source=host', 'sweep={proxy.mode: [iptables, ebpf]}'])).toEqual([
      'traffic.source: got host with proxy.mode ebpf at sweep point {"proxy.mode":"ebpf"}: in-cluster clients are modelled for iptables, ipvs and nftables only',
    ]);
  });

  it('refuse in-cluster clients behind the load balancer (it carries outside clients only)', () => {
    expect(issues(['traffic.source=pod', 'traffic.via=load-balancer'])).toEqual([
      'traffic.via: got load-balancer with traffic.source pod: the load balancer carries outside clients only; set traffic.source to external or traffic.via to node-port',
    ]);
  });

  it('refuse source nodes the cluster does not have', () => {
    expect(issues(['traffic.source=pod', 'traffic.sourceNodes=[node-1, node-9]'])).toEqual([
      'traffic.sourceNodes: got node-9, expected names of the cluster\'s nodes: node-1, node-2, node-3',
    ]);
  });

  it('refuse another node\'s nodePort on a one-node cluster', () => {
    expect(issues(['cluster.nodes=1', 'traffic.source=host', 'traffic.destination=node-port-other-node'])).toEqual([
      'traffic.destination: got node-port-other-node on a one-node cluster: there is no other node to call',
    ]);
  });
});

describe('service.internalTrafficPolicy', () => {
  it('overrides the target Service\'s spec and reaches kube-proxy\'s service ports', () => {
    const { experiment, docs } = loadExperiment(file, { set: ['service.internalTrafficPolicy=Local'] });
    const ports = buildServicePorts(resolveCluster(experiment, docs).cluster);
    expect(ports.map((sp) => sp.internalTrafficPolicy)).toEqual(['Local']);
  });
});
