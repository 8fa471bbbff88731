// Chart SVGs rasterised to PNG with resvg. Fonts come from the DejaVu package, never the system,
// so a PNG looks the same on every machine; without a font resvg silently draws no text.
// resvg is a native module loaded only when a PNG is asked for.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ResvgRenderOptions } from '@resvg/resvg-js';

const require = createRequire(import.meta.url);
// The package has no entry point, so find its folder through its package.json.
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export const PNG_OPTIONS: ResvgRenderOptions = {
  font: {
    loadSystemFonts: false,
    fontFiles: [join(FONT_DIR, 'DejaVuSans.ttf'), join(FONT_DIR, 'DejaVuSans-Bold.ttf')],
    defaultFontFamily: 'DejaVu Sans',
    sansSerifFamily: 'DejaVu Sans',
  },
  // Twice the SVG's size: sharp on high-density screens and in slides.
  fitTo: { mode: 'zoom', value: 2 },
  background: 'white',
};

let resvg: Promise<typeof import('@resvg/resvg-js')> | undefined;

export async function renderPng(svg: string): Promise<Uint8Array> {
  resvg ??= import('@resvg/resvg-js');
  const { Resvg } = await resvg;
  return new Resvg(svg, PNG_OPTIONS).render().asPng();
}
