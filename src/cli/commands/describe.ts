// `nodeport-sim describe svc|pod|node|endpointslice NAME -f FILE...`: kubectl describe for the
// manifests' cluster.

import type { Command } from 'commander';
import { buildCluster } from '../../cluster/build.js';
import type { Cluster } from '../../cluster/model.js';
import { describeEndpointSlice, describeNode, describePod } from '../../kubectl/describe-objects.js';
import { describeService } from '../../kubectl/describe-service.js';
import { RESOURCE_NAMES } from '../../kubectl/resources.js';
import { addClusterOptions, type ClusterFlags, type CommandResult, emit, runWithInput, verboseText } from '../cluster-input.js';

type Describable = 'services' | 'pods' | 'nodes' | 'endpointslices';
const DESCRIBABLE: readonly string[] = ['services', 'pods', 'nodes', 'endpointslices'];

function describeOne(cluster: Cluster, type: Describable, name: string, namespace: string): string | undefined {
  switch (type) {
    case 'services':
      return describeService(cluster, name, namespace);
    case 'pods': {
      const pod = cluster.pods.find((p) => p.name === name && p.namespace === namespace);
      return pod === undefined ? undefined : describePod(cluster, pod);
    }
    case 'nodes': {
      const node = cluster.nodes.find((n) => n.name === name);
      return node === undefined ? undefined : describeNode(cluster, node);
    }
    case 'endpointslices': {
      const slice = cluster.endpointSlices.find((s) => s.name === name && s.namespace === namespace);
      return slice === undefined ? undefined : describeEndpointSlice(slice);
    }
  }
}

export function runDescribe(resource: string, name: string, flags: ClusterFlags): CommandResult {
  const type = RESOURCE_NAMES[resource.toLowerCase()];
  if (type === undefined || !DESCRIBABLE.includes(type)) {
    return { stdout: '', stderr: `error: describe supports svc, pod, node and endpointslice, not "${resource}"\n`, exitCode: 2 };
  }
  return runWithInput(flags, (docs, options) => {
    const { cluster, notes } = buildCluster(docs, options);
    const text = describeOne(cluster, type as Describable, name, flags.namespace ?? 'default');
    if (text === undefined) return { stdout: '', stderr: `Error from server (NotFound): ${type} "${name}" not found\n`, exitCode: 1 };
    return { stdout: text, stderr: verboseText(flags, cluster, notes), exitCode: 0 };
  });
}

export function registerDescribe(program: Command): void {
  addClusterOptions(
    program
      .command('describe')
      .description('describe a service, pod, node or endpointslice as kubectl describe prints it')
      .argument('<resource>', 'svc | pod | node | endpointslice')
      .argument('<name>', 'object name')
      .option('-n, --namespace <ns>', 'namespace of the object', 'default'),
  ).action((resource: string, name: string, flags: ClusterFlags) => emit(runDescribe(resource, name, flags)));
}
