// The experiment folder's modules import one another without a cycle, so each can be read (and
// loaded) after the ones it builds on.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = 'src/experiment';
const IMPORT = /^(?:import|export)\b[^'"]*?from\s+'\.\/([\w-]+)\.js'/gm;

function localImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(DIR, file), 'utf8');
    graph.set(file.slice(0, -3), [...text.matchAll(IMPORT)].map((m) => m[1]));
  }
  return graph;
}

/** One cycle as a list of modules, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string): string[] | null => {
    if (state.get(m) === 'done') return null;
    if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
    state.set(m, 'open');
    stack.push(m);
    for (const next of graph.get(m) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(m, 'done');
    return null;
  };
  for (const m of graph.keys()) {
    const cycle = visit(m);
    if (cycle) return cycle;
  }
  return null;
}

describe('src/experiment imports', () => {
  it('finds a cycle when there is one', () => {
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('form no cycle, type-only imports included', () => {
    const graph = localImports();
    expect(graph.get('runner')).toContain('results');
    expect(findCycle(graph)).toBeNull();
  });
});
