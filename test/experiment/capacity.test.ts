import { describe, expect, it } from 'vitest';
import { experimentProbe, searchCapacity } from '../../src/experiment/capacity.js';
import { parseAssertion, type Assertion } from '../../src/experiment/gates.js';
import { validateExperiment } from '../../src/experiment/schema.js';
import { parseManifestText } from '../../src/io/read-manifests.js';

const slo = (text: string) => parseAssertion(text) as Assertion;
const exact = (f: (rate: number) => number) => (rate: number) => ({ mean: f(rate), ci95HalfWidth: 0, n: 1 });

describe('searchCapacity', () => {
  it('brackets by doubling from the start rate, then bisects to within the tolerance', () => {
    const r = searchCapacity(exact((rate) => rate / 100), slo('latency_p99_ms < 37'), { start: 500, tolerance: 0.001 });
    if (r.kind !== 'found') throw new Error(r.kind);
    expect(r.best.meets).toBe(true);
    expect(r.next.meets).toBe(false);
    expect(r.best.rate).toBeLessThan(3700);
    expect(r.next.rate).toBeGreaterThanOrEqual(3700);
    expect((r.next.rate - r.best.rate) / r.best.rate).toBeLessThanOrEqual(0.001);
  });

  it('halves from the start rate when the SLO fails there', () => {
    const r = searchCapacity(exact((rate) => rate / 100), slo('latency_p99_ms <= 2'), { start: 5000, tolerance: 0.01 });
    expect(r.kind === 'found' && Math.abs(r.best.rate - 200) / 200).toBeLessThanOrEqual(0.01);
  });

  it('says so when even --min misses the SLO, or --max still meets it', () => {
    expect(searchCapacity(exact(() => 50), slo('latency_p99_ms < 20'), { start: 100, min: 10, tolerance: 0.02 }).kind).toBe('below-min');
    const top = searchCapacity(exact(() => 1), slo('latency_p99_ms < 20'), { start: 100, max: 800, tolerance: 0.02 });
    expect(top.kind === 'above-max' && top.best.rate).toBe(800);
  });
});

// M/M/c: Poisson arrivals at λ, c workers, exponential service at μ. Erlang C (Kleinrock,
// Queueing Systems I, §3.5): P(wait) = (a^c/c!)·(c/(c−a)) / (Σ_{k<c} a^k/k! + (a^c/c!)·(c/(c−a))),
// mean time in system W = P(wait)/(cμ − λ) + 1/μ. Written out here, independent of src/engine.
function mmcMeanTimeInSystem(c: number, lambda: number, mu: number): number {
  const a = lambda / mu;
  let term = 1;
  let sum = 0;
  for (let k = 0; k < c; k++) {
    sum += term;
    term *= a / (k + 1);
  }
  const tail = term * (c / (c - a));
  return tail / (sum + tail) / (c * mu - lambda) + 1 / mu;
}

describe('capacity of one M/M/2 pod', () => {
  const manifests = parseManifestText(
    'one.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 80, nodePort: 30080}]}
`,
  );
  // No network delay and no data-path cost, so a request's latency is its time in the pod.
  const { experiment, issues } = validateExperiment({
    name: 'mmc-capacity',
    seed: 3,
    replications: 5,
    durationS: 100,
    warmupS: 2,
    cluster: { nodes: 1 },
    traffic: { clients: 1000, ratePerS: 500, ingress: 'single' },
    pods: { concurrency: 2, queueLimit: 100000, serviceTime: { dist: 'exponential', meanMs: 1 } },
    network: { clientToNodeMs: 0, nodeToNodeMs: 0, nodeToNodeCrossZoneMs: 0, nodeToPodMs: 0 },
    costs: { iptablesRuleNs: 0, ipvsLookupNs: 0, nftablesLookupNs: 0, conntrackHitNs: 0 },
  });

  it('finds the rate where the mean latency reaches 2 ms within 3% of Erlang C', () => {
    expect(issues).toEqual([]);
    if (!experiment) return;
    // Analytic rate: solve W(λ) = 2 ms for c = 2, μ = 1/ms by bisection on the closed form.
    let lo = 0;
    let hi = 1999.999;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (mmcMeanTimeInSystem(2, mid / 1000, 1) < 2) lo = mid;
      else hi = mid;
    }
    const analytic = lo;
    const condition = slo('latency_mean_ms < 2');
    const r = searchCapacity(experimentProbe(experiment, manifests, condition), condition, { start: experiment.traffic.ratePerS, tolerance: 0.005 });
    if (r.kind !== 'found') throw new Error(r.kind);
    expect(Math.abs(r.best.rate - analytic) / analytic).toBeLessThan(0.03);
    expect(r.best.n).toBe(5);
    expect(r.best.ci95HalfWidth).toBeGreaterThan(0);
  });

  it('refuses an experiment with a sweep, naming the key', () => {
    if (!experiment) return;
    const swept = { ...experiment, sweep: { 'proxy.mode': ['iptables'] } };
    expect(() => experimentProbe(swept, manifests, slo('latency_mean_ms < 2'))).toThrow(/sweep: capacity searches one configuration/);
  });
});
