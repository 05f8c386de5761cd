import { execFile } from 'node:child_process';
import { join } from 'node:path';
import which from 'which';
import { endpoints, prometheusQuery } from '../support/backends';
import { SERVICE_GROUPS as GROUPS } from '../support/consumer-groups';
import { eventually } from '../support/eventually';
import { startServices, type RunningServices } from '../support/services';
import { anOrder, shopClient } from '../support/shop-client';

const RULES = join(__dirname, '../../infra/prometheus/rules');

/** promtool from Debian's prometheus package (the stack installs it); resolves with its output, rejects with it on failure. */
function promtool(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(which.sync('promtool'), args, { cwd: RULES }, (error, stdout, stderr) =>
      error ? reject(new Error(`promtool ${args.join(' ')}:\n${stdout}${stderr}`)) : resolve(stdout + stderr),
    ),
  );
}

describe('alert rules', () => {
  it('pass promtool check rules and their unit tests (promtool test rules)', async () => {
    expect(await promtool('check', 'rules', 'tracehop.rules.yml')).toMatch(/SUCCESS: \d+ rules found/);
    expect(await promtool('test', 'rules', 'tracehop.rules.test.yml')).toContain('SUCCESS');
  });

  it('are loaded by the native Prometheus and evaluate without error', async () => {
    const groups = await eventually('every rule evaluated', 60, async () => {
      const response = await fetch(`${endpoints.prometheus}/api/v1/rules`);
      const body = (await response.json()) as {
        data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
      };
      const rules = body.data.groups.flatMap((group) => group.rules);
      return rules.length && rules.every((rule) => rule.health !== 'unknown') ? body.data.groups : undefined;
    });
    expect(groups.map((group) => group.name).sort()).toEqual(['tracehop-alerts', 'tracehop-slo']);
    for (const rule of groups.flatMap((group) => group.rules))
      expect({ rule: rule.name, health: rule.health, error: rule.lastError ?? '' }).toEqual({ rule: rule.name, health: 'ok', error: '' });
  });
});

describe('consumer lag in Prometheus', () => {
  let running: RunningServices;

  beforeAll(async () => {
    running = await startServices();
    const shop = shopClient(running);
    const user = await shop.registerUser();
    await shop.settled((await shop.placeOrder(anOrder(user.body.id))).body.id);
  }, 180_000);

  afterAll(() => running?.stop());

  it('in messages, per group, topic and partition, from the gateway’s kafka_metrics receiver', async () => {
    const groups = await eventually('lag in messages for every group', 60, async () => {
      const found = new Set((await prometheusQuery('kafka_consumer_group_lag')).map((sample) => sample.metric.group));
      return GROUPS.every((group) => found.has(group)) ? found : undefined;
    });
    expect([...groups]).toEqual(expect.arrayContaining(GROUPS));
    // Only partitions a group consumes: the receiver's -1 for the others is dropped at the gateway.
    expect(await prometheusQuery('kafka_consumer_group_lag < 0')).toEqual([]);
  });

  it('in seconds, per group, topic and partition, from the consumers themselves', async () => {
    const samples = await eventually('lag in seconds for every group', 90, async () => {
      const found = await prometheusQuery('tracehop_consumer_lag_age_seconds');
      const groups = new Set(found.map((sample) => sample.metric.messaging_consumer_group_name));
      return GROUPS.every((group) => groups.has(group)) ? found : undefined;
    });
    for (const sample of samples) {
      expect(sample.metric).toMatchObject({
        messaging_destination_name: expect.any(String),
        messaging_destination_partition_id: expect.stringMatching(/^\d+$/),
      });
      expect(Number(sample.value[1])).toBeGreaterThanOrEqual(0);
    }
  });
});
