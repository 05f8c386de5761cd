import { loadDashboards } from '../../tools/dashboards/dashboards';
import { evaluatePanels, isBroken, type QueryOutcome } from '../../tools/dashboards/evaluate';
import { PrometheusClient } from '../../tools/dashboards/prometheus';
import { endpoints } from '../support/backends';
import { eventually } from '../support/eventually';
import { startServices, type RunningServices } from '../support/services';
import { anOrder, shopClient } from '../support/shop-client';

/**
 * Grafana does not run here, so no panel could be seen broken: this evaluates every query of every
 * dashboard against the native Prometheus, as Grafana would, while the real services serve a short
 * load (orders paid and declined), and fails on any query that errors or returns nothing.
 */
describe('every dashboard panel has data in the native Prometheus', () => {
  let running: RunningServices;
  let load: Promise<void>;
  let loading = true;

  beforeAll(async () => {
    running = await startServices();
    const shop = shopClient(running);
    const users = [(await shop.registerUser()).body.id, (await shop.registerUser()).body.id];
    // Until the evaluation ends: rates over the last minute stay above zero. Every fourth order
    // exceeds the balance and is declined.
    load = (async () => {
      for (let i = 0; loading; i++) {
        const order = await shop.placeOrder(anOrder(users[i % 2], i % 4 === 3 ? 250_000 : 300, 1));
        await shop.getUser(users[i % 2]);
        if (order.status !== 201) throw new Error(`order answered ${order.status}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
  }, 180_000);

  afterAll(async () => {
    loading = false;
    await load;
    await running?.stop();
  });

  it.each(loadDashboards().map(({ name, dashboard }) => [name, dashboard] as const))(
    '%s',
    async (_name, dashboard) => {
      const prometheus = new PrometheusClient(endpoints.prometheus);
      let last: QueryOutcome[] = [];
      await eventually('every panel query returning data', 120, async () => {
        last = await evaluatePanels(prometheus, dashboard);
        return last.some(isBroken) ? undefined : last;
      }).catch(() => undefined);
      // Named by panel and query, with Prometheus' error if it refused the query.
      expect(last.filter(isBroken).map(({ panel, refId, error }) => `${panel} [${refId}]${error ? `: ${error}` : ': no data'}`)).toEqual(
        [],
      );
      expect(last.length).toBeGreaterThan(5);
    },
    180_000,
  );
});
