import type { TopLevelSpec } from 'vega-lite';

/** Bars of medians with min–max whiskers, one bar per configuration (optionally one colour per series). */
export function barsWithRange(options: {
  title: string;
  values: { label: string; series?: string; median: number; min: number; max: number }[];
  axis: string;
  /** A reference line, e.g. the target ratio. */
  rule?: { value: number; label: string };
}): TopLevelSpec {
  const x = { field: 'label', type: 'nominal' as const, sort: null, title: null, axis: { labelAngle: -20 } };
  const layers: object[] = [
    {
      mark: { type: 'bar' },
      encoding: {
        x,
        ...(options.values.some((v) => v.series)
          ? { xOffset: { field: 'series' }, color: { field: 'series', title: null, legend: { orient: 'bottom', labelLimit: 400 } } }
          : {}),
        y: { field: 'median', type: 'quantitative', title: options.axis },
      },
    },
    {
      // The run-to-run range (min–max) as a whisker over each bar.
      mark: { type: 'rule', color: '#333', strokeWidth: 1.5 },
      encoding: {
        x,
        ...(options.values.some((v) => v.series) ? { xOffset: { field: 'series' } } : {}),
        y: { field: 'min', type: 'quantitative', title: options.axis },
        y2: { field: 'max' },
      },
    },
  ];
  if (options.rule)
    layers.push({
      data: { values: [options.rule] },
      layer: [
        { mark: { type: 'rule', strokeDash: [4, 4], color: '#c0392b' }, encoding: { y: { field: 'value', type: 'quantitative' } } },
        {
          mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#c0392b' },
          encoding: { y: { field: 'value', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } },
        },
      ],
    });
  return { ...chartFrame(options.title, options.values), layer: layers } as TopLevelSpec;
}

/** What every chart here shares: schema, title, size, and its data. */
const chartFrame = (title: string, values: object[]) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title,
  width: 520,
  height: 260,
  data: { values },
});

/** One stacked bar per configuration: how a total (e.g. CPU per order) splits across parts (processes). */
export function stackedBars(options: {
  title: string;
  values: { label: string; part: string; value: number }[];
  axis: string;
}): TopLevelSpec {
  return {
    ...chartFrame(options.title, options.values),
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: 0 } },
      y: { field: 'value', type: 'quantitative', title: options.axis, stack: 'zero' },
      // tableau20: a colour for each of up to 20 parts (the default ten repeat).
      color: { field: 'part', title: null, scale: { scheme: 'tableau20' }, legend: { orient: 'right' } },
      order: { field: 'value', sort: 'descending' },
    },
  } as TopLevelSpec;
}
