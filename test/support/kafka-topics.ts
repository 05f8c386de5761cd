import type { Kafka } from 'kafkajs';

/** Creates single-partition topics, runs the work, and deletes the topics again whatever happens. */
export async function withTopics<T>(kafka: Kafka, topics: string[], work: () => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    return await work();
  } finally {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  }
}
