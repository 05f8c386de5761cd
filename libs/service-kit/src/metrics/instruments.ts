import type { Counter, Histogram, Meter } from '@opentelemetry/api';

/** Every tracehop metric name starts with the project prefix (docs/telemetry.md lists them all). */
export type TracehopMetricName = `tracehop.${string}`;

export interface InstrumentSpec {
  description: string;
  /** UCUM unit: `s`, `ms`, `By`, or `{message}`-style annotations for counts. */
  unit: string;
}

export interface HistogramSpec extends InstrumentSpec {
  /** Explicit bucket boundaries, in the instrument's unit. */
  buckets: number[];
}

/** A counter with the project prefix and a unit; the meter decides where it goes (OTLP, via the agent). */
export function defineCounter(meter: Meter, name: TracehopMetricName, spec: InstrumentSpec): Counter {
  return meter.createCounter(name, { description: spec.description, unit: spec.unit });
}

export function defineHistogram(meter: Meter, name: TracehopMetricName, spec: HistogramSpec): Histogram {
  return meter.createHistogram(name, {
    description: spec.description,
    unit: spec.unit,
    advice: { explicitBucketBoundaries: spec.buckets },
  });
}
