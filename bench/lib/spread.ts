/** A figure over repeated runs: the median, and the range that shows how noisy the machine was. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(values: number[]): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** `1.12× (1.05–1.20)`: the median and range, for tables. */
export function formatSpread(value: Spread, digits = 2, unit = ''): string {
  if (value.runs === 0) return '—';
  const f = (n: number) => n.toFixed(digits);
  return value.runs > 1 ? `${f(value.median)}${unit} (${f(value.min)}–${f(value.max)})` : `${f(value.median)}${unit}`;
}
