// The parent's side of chart-child.ts: forked before a run simulates, so the chart libraries
// load on another core meanwhile, then asked for each chart as the result files are built.

import { fork } from 'node:child_process';
import type { TopLevelSpec } from 'vega-lite';
import type { ChartRenderer } from '../io/write-results.js';
import type { FromChartChild, ToChartChild } from './chart-child.js';

export interface ChartProcess extends ChartRenderer {
  /** Lets the child go: it exits once nothing is pending. Call it whatever happened. */
  close(): void;
}

/** `script` is the child's module (chart-child.js beside this one). */
export function startChartProcess(script: URL = new URL('./chart-child.js', import.meta.url)): ChartProcess {
  const child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (reply: FromChartChild) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let gone: Error | undefined;
  const failAll = (error: Error) => {
    gone ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  child.on('message', (reply: FromChartChild) => {
    const p = pending.get(reply.id);
    if (p === undefined) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(new Error(`chart process: ${reply.error}`));
    else p.resolve(reply);
  });
  child.on('error', failAll);
  child.on('exit', (code, signal) => failAll(new Error(`chart process: exited (${signal ?? `code ${code}`}) with ${pending.size} chart(s) undrawn`)));
  // The child must not keep this process alive once its answers are in.
  child.unref();
  child.channel?.unref();

  const ask = (message: ToChartChild): Promise<FromChartChild> =>
    new Promise((resolve, reject) => {
      if (gone) return reject(gone);
      pending.set(message.id, { resolve, reject });
      // While an answer is awaited the channel keeps this process alive.
      child.channel?.ref();
      child.send(message, (error) => error && failAll(error));
    }).finally(() => {
      if (pending.size === 0) child.channel?.unref();
    }) as Promise<FromChartChild>;

  return {
    svg: async (spec: TopLevelSpec) => {
      const reply = await ask({ kind: 'svg', id: nextId++, spec });
      if (!('svg' in reply)) throw new Error('chart process: answered an SVG request with no SVG');
      return reply.svg;
    },
    png: async (svg: string) => {
      const reply = await ask({ kind: 'png', id: nextId++, svg });
      if (!('png' in reply)) throw new Error('chart process: answered a PNG request with no PNG');
      return reply.png;
    },
    close: () => {
      if (child.connected) child.disconnect();
    },
  };
}
