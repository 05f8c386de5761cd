import { randomBytes } from 'node:crypto';
import { endpoints, logsQuery } from '../test/support/backends';
import { tracedCall } from '../tools/demo/shop-api';
import type { ServiceFleet } from './service-fleet';

/**
 * PII a user could type, planted in every place a request can carry it: a registration's e-mail and
 * name, an order line's sku (valid, so it flows through Kafka), and a refused order (the 400's
 * validation message). Afterwards the trace store, the log store and the services' stdout are
 * searched for it: none may hold it in clear.
 */
export class PiiCanary {
  /** Unique per run, so an earlier run's leftovers never count. */
  readonly email = `canary-${randomBytes(4).toString('hex')}@pii-canary.example`;
  /** Luhn-valid (a test card number). */
  readonly card = '4111 1111 1111 1111';

  async plant(fleet: ServiceFleet): Promise<void> {
    const user = await tracedCall<{ id: string }>('POST', `${fleet.url('user-service')}/users`, {
      email: this.email,
      name: `Pay with ${this.card}`,
    });
    const items = (sku: string) => [{ sku, quantity: 1, unitPriceMinor: 100 }];
    await tracedCall('POST', `${fleet.url('order-service')}/orders`, {
      userId: user.body.id,
      currency: 'EUR',
      items: items(`${this.email} ${this.card}`),
    });
    await tracedCall('POST', `${fleet.url('order-service')}/orders`, { userId: this.email, currency: this.card, items: items(this.email) });
  }

  /** Where the canary was found in clear: trace store, log store, stdout of each service. */
  async hits(fleet: ServiceFleet): Promise<string[]> {
    const needles = [this.email, this.email.replace('@', '%40'), this.card, this.card.replaceAll(' ', '')];
    const found: string[] = [];
    await fetch(`${endpoints.search}/tracehop-jaeger-span-*/_refresh`, { method: 'POST' });
    for (const needle of needles) {
      const response = await fetch(`${endpoints.search}/tracehop-jaeger-*/_count`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: { multi_match: { query: needle, type: 'phrase', fields: ['*'], lenient: true } } }),
      });
      const { count } = (await response.json()) as { count?: number };
      if (count) found.push(`trace store: ${count} documents with ${needle}`);
      const logs = await logsQuery(`${JSON.stringify(needle)}`);
      if (logs.length) found.push(`log store: ${logs.length} records with ${needle}`);
    }
    for (const [label, output] of fleet.outputs())
      for (const needle of needles) if (output.includes(needle)) found.push(`${label} stdout: ${needle}`);
    return found;
  }
}
