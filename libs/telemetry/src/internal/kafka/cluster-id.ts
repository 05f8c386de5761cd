import type { Attributes } from '@opentelemetry/api';
import type { Admin } from 'kafkajs';
import { ATTR_KAFKA_CLUSTER_ID } from '../semconv';

/**
 * kafkajs shows the cluster id only in an admin's describeCluster answer (its producers and
 * consumers keep broker metadata private): when the application asks, the id goes into the client's
 * shared connection attributes, so spans and metrics from then on carry kafka.cluster.id.
 */
export function learnClusterId(admin: Admin, connection: Attributes): void {
  const describeCluster = admin.describeCluster.bind(admin);
  admin.describeCluster = () =>
    describeCluster().then((cluster) => {
      if (cluster.clusterId) connection[ATTR_KAFKA_CLUSTER_ID] = cluster.clusterId;
      return cluster;
    });
}
