// `nodeport-sim describe svc NAME -f FILE...`: kubectl describe service for the manifests' cluster.

import type { Command } from 'commander';
import { buildCluster } from '../../cluster/build.js';
import { describeService } from '../../kubectl/describe-service.js';
import { addClusterOptions, type ClusterFlags, type CommandResult, emit, runWithInput } from '../cluster-input.js';

const SERVICE_WORDS = new Set(['svc', 'service', 'services']);

export function runDescribe(resource: string, name: string, flags: ClusterFlags): CommandResult {
  if (!SERVICE_WORDS.has(resource)) {
    return { stdout: '', stderr: `error: describe supports services only (svc), not "${resource}"\n`, exitCode: 2 };
  }
  return runWithInput(flags, (docs, options) => {
    const { cluster } = buildCluster(docs, options);
    const namespace = flags.namespace ?? 'default';
    const text = describeService(cluster, name, namespace);
    if (text === undefined) return { stdout: '', stderr: `Error from server (NotFound): services "${name}" not found\n`, exitCode: 1 };
    return { stdout: text, stderr: '', exitCode: 0 };
  });
}

export function registerDescribe(program: Command): void {
  addClusterOptions(
    program
      .command('describe')
      .description('describe a service as kubectl describe prints it')
      .argument('<resource>', 'svc')
      .argument('<name>', 'service name')
      .option('-n, --namespace <ns>', 'namespace of the service', 'default'),
  ).action((resource: string, name: string, flags: ClusterFlags) => emit(runDescribe(resource, name, flags)));
}
