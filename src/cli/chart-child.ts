// A child process of `run` that draws the charts. It starts loading vega and vega-lite (about
// half a second) as soon as it is forked, on another core, while the parent simulates; the parent
// then hands it each chart and builds its CSV files meanwhile. It draws with the very functions
// an in-process run uses, so the SVG and PNG files are the same byte for byte.

import type { TopLevelSpec } from 'vega-lite';
import { loadChartLibraries, renderSvg } from '../io/render-chart.js';
import { renderPng } from '../io/render-png.js';

export type ToChartChild =
  | { readonly kind: 'svg'; readonly id: number; readonly spec: TopLevelSpec }
  | { readonly kind: 'png'; readonly id: number; readonly svg: string };

export type FromChartChild =
  | { readonly id: number; readonly svg: string }
  | { readonly id: number; readonly png: Uint8Array }
  | { readonly id: number; readonly error: string };

// A failed load is reported with the first chart asked for, not as an unhandled rejection here.
loadChartLibraries().catch(() => undefined);

process.on('message', (message: ToChartChild) => {
  const answer = async (): Promise<FromChartChild> => {
    try {
      return message.kind === 'svg' ? { id: message.id, svg: await renderSvg(message.spec) } : { id: message.id, png: await renderPng(message.svg) };
    } catch (error) {
      return { id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
  };
  void answer().then((reply) => process.send?.(reply));
});
