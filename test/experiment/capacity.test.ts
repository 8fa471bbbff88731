import { describe, expect, it } from 'vitest';
import { experimentProbe, judgeRuns, type Measurement, probeWith, searchCapacity, type Slo, sloTerms } from '../../src/experiment/capacity.js';
import { validateExperiment } from '../../src/experiment/schema.js';
import { parseManifestText } from '../../src/io/read-manifests.js';

const terms = (...given: string[]): Slo[] => {
  const t = sloTerms(given);
  if ('expected' in t) throw new Error(t.expected);
  return t.slos;
};
/** A probe that sees `f(rate)` for each metric in every replication (no spread). */
const exact =
  (slos: readonly Slo[], f: Record<string, (rate: number) => number>) =>
  (rate: number): Measurement => {
    const row = Object.fromEntries(Object.entries(f).map(([m, g]) => [m, g(rate)]));
    return probeWith(() => [row, row], slos, 2, 2)(rate);
  };
const noErrors = { error_share: () => 0 };

describe('searchCapacity', () => {
  it('brackets by doubling from the start rate, then bisects to within the tolerance', () => {
    const slos = terms('latency_p99_ms < 37');
    const r = searchCapacity(exact(slos, { latency_p99_ms: (rate) => rate / 100, ...noErrors }), { start: 500, tolerance: 0.001 });
    if (r.kind !== 'found') throw new Error(r.kind);
    expect(r.best.meets).toBe(true);
    expect(r.next.meets).toBe(false);
    expect(r.best.rate).toBeLessThan(3700);
    expect(r.next.rate).toBeGreaterThanOrEqual(3700);
    expect((r.next.rate - r.best.rate) / r.best.rate).toBeLessThanOrEqual(0.001);
  });

  it('halves from the start rate when the SLO fails there', () => {
    const r = searchCapacity(exact(terms('latency_p99_ms <= 2'), { latency_p99_ms: (rate) => rate / 100, ...noErrors }), { start: 5000, tolerance: 0.01 });
    expect(r.kind === 'found' && Math.abs(r.best.rate - 200) / 200).toBeLessThanOrEqual(0.01);
  });

  it('says so when even --min misses the SLO, or --max still meets it', () => {
    expect(searchCapacity(exact(terms('latency_p99_ms < 20'), { latency_p99_ms: () => 50, ...noErrors }), { start: 100, min: 10, tolerance: 0.02 }).kind).toBe('below-min');
    const top = searchCapacity(exact(terms('latency_p99_ms < 20'), { latency_p99_ms: () => 1, ...noErrors }), { start: 100, max: 800, tolerance: 0.02 });
    expect(top.kind === 'above-max' && top.best.rate).toBe(800);
  });

  it('enforces every SLO term: the answer is the lower of the two capacities, whichever term binds', () => {
    // p99 alone allows 3,700/s, the error bound alone 1,000/s (error_share = (rate − 900)/10⁵ above 900).
    const metrics = { latency_p99_ms: (rate: number) => rate / 100, error_share: (rate: number) => Math.max(0, rate - 900) / 1e5 };
    const both = searchCapacity(exact(terms('latency_p99_ms < 37', 'error_share <= 0.001'), metrics), { start: 500, tolerance: 0.001 });
    expect(both.kind === 'found' && both.best.rate).toBeLessThanOrEqual(1000);
    expect(both.kind === 'found' && both.best.rate).toBeGreaterThan(999);
    const swapped = searchCapacity(exact(terms('error_share <= 0.03', 'latency_p99_ms < 37'), metrics), { start: 500, tolerance: 0.001 });
    expect(swapped.kind === 'found' && swapped.best.rate).toBeLessThan(3700);
    expect(swapped.kind === 'found' && swapped.best.rate).toBeGreaterThan(3690);
  });
});

describe('SLO terms', () => {
  it('adds error_share<=0.001 unless a term names error_share, and a second term never replaces the first', () => {
    const t = sloTerms(['latency_p99_ms<20', 'latency_p50_ms < 5']);
    expect('slos' in t && t.slos.map((s) => s.text)).toEqual(['latency_p99_ms<20', 'latency_p50_ms<5', 'error_share<=0.001']);
    expect('slos' in t && t.defaultAdded).toBe(true);
    const own = sloTerms(['error_share<0.01']);
    expect('slos' in own && [own.slos.map((s) => s.text), own.defaultAdded]).toEqual([['error_share<0.01'], false]);
    expect(sloTerms(['latency_p99_ms<20', 'p50<3'])).toMatchObject({ index: 1, text: 'p50<3' });
  });

  it('judges on successful-request latency and errors together: a fast set-up that drops a third misses', () => {
    const runs = [0.333, 0.334, 0.332].map((e) => ({ latency_p99_ms: 5, error_share: e }));
    const j = judgeRuns(terms('latency_p99_ms < 20'), runs);
    expect(j.terms.map((t) => [t.slo, t.verdict])).toEqual([
      ['latency_p99_ms<20', 'pass'],
      ['error_share<=0.001', 'fail'],
    ]);
    expect(j.verdict).toBe('fail');
  });
});

describe('an interval that straddles the threshold', () => {
  // Replication k sees 18.5 − 1 or 18.5 + 1 (k even, odd), so |mean − 20| = 1.5 and the 95% CI
  // half-width is t(0.975, n−1)·s/√n: n=2 → 12.71, n=4 → 1.84, n=8 → 0.89 (s = √(n/(n−1))).
  const calls: number[] = [];
  const runsAt = (_rate: number, n: number) => {
    calls.push(n);
    return Array.from({ length: n }, (_, k) => ({ latency_p99_ms: 18.5 + (k % 2 === 0 ? -1 : 1), error_share: 0 }));
  };

  it('adds replications, doubling, until the interval clears it', () => {
    calls.length = 0;
    const m = probeWith(runsAt, terms('latency_p99_ms < 20'), 2, 10)(1000);
    expect(calls).toEqual([2, 4, 8]);
    expect(m).toMatchObject({ meets: true, undecided: false, replications: 8 });
    expect(m.terms[0].ci95HalfWidth).toBeCloseTo((2.364624 * Math.sqrt(8 / 7)) / Math.sqrt(8), 5);
  });

  it('stops at the most replications allowed, judges on the mean and says it is undecided', () => {
    calls.length = 0;
    const m = probeWith(runsAt, terms('latency_p99_ms < 20'), 2, 4)(1000);
    expect(calls).toEqual([2, 4]);
    expect(m).toMatchObject({ meets: true, undecided: true, replications: 4 });
    expect(m.terms[0].verdict).toBe('undecided');
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
    // 100 s at ~1,300 new connections/s, each held 120 s in TIME_WAIT, would fill the default
    // 131,072 entries and fail requests: room for all, so only the queue limits the rate.
    conntrack: { maxEntries: 1_000_000 },
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
    // Judged on the mean alone (one replication more would not change it: at most 5).
    const r = searchCapacity(experimentProbe(experiment, manifests, terms('latency_mean_ms < 2'), { maxReplications: 5 }), { start: experiment.traffic.ratePerS, tolerance: 0.005 });
    if (r.kind !== 'found') throw new Error(r.kind);
    expect(Math.abs(r.best.rate - analytic) / analytic).toBeLessThan(0.03);
    expect(r.best.replications).toBe(5);
    expect(r.best.terms[0].ci95HalfWidth).toBeGreaterThan(0);
  });

  it('refuses an experiment with a sweep, naming the key', () => {
    if (!experiment) return;
    const swept = { ...experiment, sweep: { 'proxy.mode': ['iptables'] } };
    expect(() => experimentProbe(swept, manifests, terms('latency_mean_ms < 2'), { maxReplications: 10 })).toThrow(/sweep: capacity searches one configuration/);
  });
});
