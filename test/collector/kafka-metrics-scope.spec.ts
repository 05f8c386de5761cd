import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deadLetterTopic, retryTopic, TOPICS } from '@tracehop/contracts';
import { SERVICE_GROUPS } from '../support/consumer-groups';

const GATEWAY = join(__dirname, '../../infra/collector/gateway.yaml');

/** The default of a `${env:NAME:-default}` setting, as a JavaScript RegExp (RE2's `\z`, end of text, is `$` here). */
function defaultPattern(setting: string): RegExp {
  const match = /^\$\{env:[A-Z_]+:-(.*)\}$/.exec(setting);
  if (!match) throw new Error(`not a variable with a default: ${setting}`);
  return new RegExp(match[1].replace(/\\z/g, '$'));
}

describe("the gateway's kafka_metrics receiver reads tracehop's groups and topics only", () => {
  const receiver = (parse(readFileSync(GATEWAY, 'utf8')) as { receivers: Record<string, { group_match: string; topic_match: string }> })
    .receivers.kafka_metrics;
  const groups = defaultPattern(receiver.group_match);
  const topics = defaultPattern(receiver.topic_match);

  it.each(SERVICE_GROUPS)('group %s, its dead-letter and retry topics', (group) => {
    expect(group).toMatch(groups);
    expect(deadLetterTopic(group)).toMatch(topics);
    expect(retryTopic(group)).toMatch(topics);
  });

  it.each(Object.values(TOPICS))('topic %s', (topic) => expect(topic).toMatch(topics));

  // What the e2e specs create for themselves (isolated, left on the broker until offsets expire).
  it.each(['delivery-spec-3f2a9c1e-0b4d-4e7a-9a51-2c6d8e0f1a2b', 'produce-spec-1', 'orders-link-1a2b3c4d-group'])('not group %s', (group) =>
    expect(group).not.toMatch(groups),
  );
  it.each(['orders-child-1a2b3c4d', 'telemetry-child-1a2b3c4d', '__consumer_offsets'])('not topic %s', (topic) =>
    expect(topic).not.toMatch(topics),
  );
});
