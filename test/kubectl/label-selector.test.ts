import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectorMatches } from '../../src/cluster/selector.js';
import { type LabelSelector, matchesLabelSelector, parseLabelSelector } from '../../src/kubectl/label-selector.js';

const parse = (text: string): LabelSelector => {
  const parsed = parseLabelSelector(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.selector;
};

const KEYS = ['app', 'tier', 'example.com/team'];
const VALUES = ['web', 'db', 'x-1'];
const labelMap = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 });

describe('-l with equality requirements', () => {
  it('selects exactly what a Service selector selects (cluster/selector.ts), written k=v or k==v', () => {
    fc.assert(
      fc.property(labelMap.filter((s) => Object.keys(s).length > 0), labelMap, fc.boolean(), (selector, labels, doubled) => {
        const text = Object.entries(selector)
          .map(([k, v]) => `${k}${doubled ? '==' : '='}${v}`)
          .join(',');
        expect(matchesLabelSelector(parse(text), labels)).toBe(selectorMatches(selector, labels));
      }),
    );
  });

  it('k!=v holds exactly where k=v does not, a missing key included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), labelMap, (k, v, labels) => {
        expect(matchesLabelSelector(parse(`${k}!=${v}`), labels)).toBe(!selectorMatches({ [k]: v }, labels));
      }),
    );
  });
});

describe('-l with set-based requirements (the examples of the Kubernetes labels documentation)', () => {
  const production = { environment: 'production', tier: 'frontend' };
  const qa = { environment: 'qa', tier: 'backend', partition: 'customerA' };
  const dev = { environment: 'dev', tier: 'cache' };
  const bare = {};
  const cases: { selector: string; matches: Record<string, string>[]; misses: Record<string, string>[] }[] = [
    { selector: 'environment in (production, qa)', matches: [production, qa], misses: [dev, bare] },
    // notin and != also select objects without the key.
    { selector: 'tier notin (frontend, backend)', matches: [dev, bare], misses: [production, qa] },
    { selector: 'partition', matches: [qa], misses: [production, dev, bare] },
    { selector: '!partition', matches: [production, dev, bare], misses: [qa] },
    { selector: 'partition in (customerA, customerB),environment!=qa', matches: [], misses: [production, qa, dev, bare] },
    { selector: 'environment=production,tier!=frontend', matches: [], misses: [production, qa, dev, bare] },
    { selector: '', matches: [production, qa, dev, bare], misses: [] },
  ];
  for (const c of cases) {
    it(`"${c.selector}"`, () => {
      const selector = parse(c.selector);
      for (const labels of c.matches) expect(matchesLabelSelector(selector, labels), JSON.stringify(labels)).toBe(true);
      for (const labels of c.misses) expect(matchesLabelSelector(selector, labels), JSON.stringify(labels)).toBe(false);
    });
  }

  it('compares gt and lt as integers, and only integer values', () => {
    expect(matchesLabelSelector(parse('replicas>9'), { replicas: '10' })).toBe(true);
    expect(matchesLabelSelector(parse('replicas<9'), { replicas: '10' })).toBe(false);
    expect(matchesLabelSelector(parse('replicas>1'), { replicas: 'many' })).toBe(false);
  });
});

describe('a malformed selector', () => {
  for (const text of ['app in ()', 'app=web=db', 'app in (web', '=web', 'app>x', 'bad key=1', 'app=-web-']) {
    it(`"${text}" is refused with a message`, () => {
      const parsed = parseLabelSelector(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(/^unable to parse requirement: /);
    });
  }
});
