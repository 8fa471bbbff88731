import { describe, expect, it } from 'vitest';
import { lineOf, segmentsKey, yamlPathLines } from '../../src/input/yaml-lines.js';

const TEXT = [
  '# an experiment', //                1
  'name: x', //                        2
  'traffic:', //                       3
  '  ratePerS: 100', //                4
  '  ingres: random', //               5
  'sweep:', //                         6
  '  proxy.mode: [iptables, bpf]', //  7
  'events:', //                        8
  '  - atS: 1', //                     9
  '    action: kill-pod', //          10
  '  - {atS: 2, action: scale}', //   11
].join('\n');

describe('yamlPathLines', () => {
  const lines = yamlPathLines(TEXT);

  it('gives the line of each key, block or flow, keys with dots kept whole', () => {
    expect(lines.get(segmentsKey(['name']))).toBe(2);
    expect(lines.get(segmentsKey(['traffic', 'ingres']))).toBe(5);
    expect(lines.get(segmentsKey(['sweep', 'proxy.mode']))).toBe(7);
    expect(lines.get(segmentsKey(['sweep', 'proxy.mode', 1]))).toBe(7);
    expect(lines.get(segmentsKey(['events', 1, 'action']))).toBe(11);
  });

  it('gives a list item the line it starts on', () => {
    expect(lines.get(segmentsKey(['events', 0]))).toBe(9);
    expect(lines.get(segmentsKey(['events', 0, 'action']))).toBe(10);
  });

  it('falls back to the nearest enclosing key for a path the text lacks, and to nothing at the top', () => {
    expect(lineOf(lines, ['events', 1, 'deployment'])).toBe(11);
    expect(lineOf(lines, ['traffic', 'clients'])).toBe(3);
    expect(lineOf(lines, ['seed'])).toBeUndefined();
  });

  it('knows no lines of a text that does not parse', () => {
    expect(yamlPathLines('a: [1, 2\nb: 3').size).toBe(0);
  });
});
