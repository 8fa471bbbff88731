// Chart SVGs rasterised to PNG with resvg. Fonts come from the DejaVu package, never the system,
// so a PNG looks the same on every machine; without a font resvg silently draws no text.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

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

export function renderPng(svg: string): Uint8Array {
  return new Resvg(svg, PNG_OPTIONS).render().asPng();
}
