import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';

class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onForceFlush = async () => undefined;
  protected onShutdown = async () => undefined;
}

/**
 * Installs a global meter provider (before the relay or retention jobs are built: they take their
 * meter at construction) and returns the data points of a metric, collected on demand.
 */
export function collectGlobalMetrics() {
  const reader = new CollectingReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return {
    async points(name: string): Promise<DataPoint<number>[]> {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === name)
        .flatMap((metric) => metric.dataPoints as DataPoint<number>[]);
    },
    disable: () => metrics.disable(),
  };
}
