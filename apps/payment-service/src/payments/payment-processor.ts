import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { sql, type Transaction } from 'kysely';
import type { Currency } from '@tracehop/contracts';
import { Faults, SERVICE_CONFIG } from '@tracehop/service-kit';
import { recordFailure } from '@tracehop/telemetry';
import type { PaymentServiceConfig } from '../config';
import type { PaymentDatabase, PaymentStatus } from '../database/schema';
import { ATTR_TRACEHOP_PAYMENT_CURRENCY, ATTR_TRACEHOP_PAYMENT_OUTCOME } from './attributes';

export interface Charge {
  userId: string;
  amountMinor: number;
  currency: Currency;
  /** When the order was created: how long the charge has been waiting for an account. */
  orderedAt: Date;
}

/** A completed charge has no reason; a declined or failed one always says why. */
export type ChargeResult = { status: 'COMPLETED'; reason: null } | { status: Exclude<PaymentStatus, 'COMPLETED'>; reason: string };

/** Not an outcome but a wait: the user-registered event that opens the account has not been applied yet. */
class AccountNotOpenYet extends Error {}

const tracer = trace.getTracer('payment-service');

/**
 * A simulated card processor over the user's wallet: takes `processorLatencyMs`, fails
 * `processorFailureRate` of charges (failure injection), declines when the balance is short, and
 * otherwise debits the wallet. A missing account is waited for (retried) up to
 * PAYMENT_ACCOUNT_WAIT_MS after the order, then the payment fails. The `charge payment` span carries the outcome; a decline or failure
 * sets its status to ERROR, so the failed step is visible in the trace.
 */
@Injectable()
export class PaymentProcessor {
  constructor(
    private readonly faults: Faults,
    @Inject(SERVICE_CONFIG) private readonly config: PaymentServiceConfig,
  ) {}

  charge(trx: Transaction<PaymentDatabase>, charge: Charge): Promise<ChargeResult> {
    return tracer.startActiveSpan('charge payment', { attributes: { [ATTR_TRACEHOP_PAYMENT_CURRENCY]: charge.currency } }, async (span) => {
      try {
        const result = await this.decide(trx, charge);
        span.setAttribute(ATTR_TRACEHOP_PAYMENT_OUTCOME, result.status.toLowerCase());
        if (result.status !== 'COMPLETED') span.setStatus({ code: SpanStatusCode.ERROR, message: result.reason });
        return result;
      } catch (error) {
        recordFailure(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async decide(trx: Transaction<PaymentDatabase>, charge: Charge): Promise<ChargeResult> {
    // The account first: a charge waiting for its wallet must not roll the injected faults on every retry.
    const account = await trx
      .selectFrom('account_balance')
      .select('user_id')
      .where('user_id', '=', charge.userId)
      .where('currency', '=', charge.currency)
      .executeTakeFirst();
    if (!account) {
      // Usually the user-registered event is simply behind; an order for a user who never registers must not wait for ever.
      if (Date.now() - charge.orderedAt.getTime() < this.config.PAYMENT_ACCOUNT_WAIT_MS)
        throw new AccountNotOpenYet(`no payment account for user ${charge.userId} yet`);
      return { status: 'FAILED', reason: 'no payment account' };
    }
    const latency = this.faults.value('processorLatencyMs');
    if (latency > 0) await sleep(latency);
    if (Math.random() < this.faults.value('processorFailureRate'))
      return { status: 'FAILED', reason: 'processor error (injected failure)' };
    const debited = await trx
      .updateTable('account_balance')
      .set({ balance_minor: sql`balance_minor - ${charge.amountMinor}` })
      .where('user_id', '=', charge.userId)
      .where('currency', '=', charge.currency)
      .where('balance_minor', '>=', String(charge.amountMinor))
      .returning('balance_minor')
      .executeTakeFirst();
    return debited ? { status: 'COMPLETED', reason: null } : { status: 'DECLINED', reason: 'insufficient funds' };
  }
}
