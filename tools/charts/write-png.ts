import { writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite chart to PNG without a browser: Vega draws SVG, resvg rasterises it with the
 * system's fonts. Vega is ESM with top-level await, so it is imported, not required. Used by the
 * benchmarks' plots and the dashboard pictures.
 */
export async function writePng(spec: TopLevelSpec, file: string): Promise<void> {
  const vega = await import('vega');
  const { compile } = await import('vega-lite');
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG(2);
  const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  writeFileSync(file, png);
}
