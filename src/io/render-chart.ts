// Vega-Lite specs rendered to SVG headlessly (vega's 'none' renderer needs no canvas).
// vega and vega-lite take about half a second to load, so they load on the first chart drawn,
// never for a command that draws none.

import type { TopLevelSpec } from 'vega-lite';

let libraries: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

/** Starts loading vega and vega-lite (once); the first chart drawn waits for them. */
export function loadChartLibraries(): Promise<[typeof import('vega'), typeof import('vega-lite')]> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]);
  return libraries;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await loadChartLibraries();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
