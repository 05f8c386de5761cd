import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { KitTables, OutboxTable } from '../database/kit-tables';

/** Rows claimed by one send, in id order; `id` tells the claim apart from a later one of the same rows. */
export interface Claim {
  id: string;
  rows: Selectable<OutboxTable>[];
}

/** Key of the transaction-level advisory lock under which relays take claims, one at a time. */
const CLAIM_LOCK = 0x74686f70; // "thop"

/**
 * The outbox relay's statements. Each is one short transaction: no row lock outlives it, so nothing
 * is locked while the relay waits on Kafka (a claim is a lease written in the row, not a lock).
 */
export class OutboxClaims {
  constructor(private readonly db: Kysely<KitTables>) {}

  /**
   * Claims up to `limit` unpublished rows, oldest first, for `leaseMillis`: rows no live claim holds,
   * not failed, and with no earlier row of their key that is failed or claimed (by another relay, or
   * by one that died within its lease), so a key's records reach Kafka in id order. Claims are taken
   * under an advisory lock, one relay at a time, so each sees the claims committed before it.
   */
  async claim(limit: number, leaseMillis: number): Promise<Claim> {
    const id = randomUUID();
    const rows = await this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`.execute(trx);
      const { rows: claimed } = await sql<Selectable<OutboxTable>>`
        update outbox set claim_id = ${id}, claimed_until = statement_timestamp() + ${leaseMillis} * interval '1 millisecond'
        where id in (
          select candidate.id from outbox candidate
          where candidate.published_at is null and candidate.failed_at is null
            and (candidate.claimed_until is null or candidate.claimed_until <= statement_timestamp())
            and not exists (
              select 1 from outbox earlier
              where earlier.message_key = candidate.message_key and earlier.id < candidate.id and earlier.published_at is null
                and (earlier.failed_at is not null or earlier.claimed_until > statement_timestamp()))
          order by candidate.id
          limit ${limit}
          for update skip locked)
        returning *`.execute(trx);
      return claimed;
    });
    // bigserial ids come back as strings; RETURNING keeps no order.
    return { id, rows: rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id))) };
  }

  /** The rows' records are acknowledged by Kafka: published, whoever holds the claim now. */
  async markPublished(ids: string[]): Promise<void> {
    await sql`update outbox set published_at = now(), claim_id = null, claimed_until = null
      where id = any(${ids}::bigint[]) and published_at is null`.execute(this.db);
  }

  /** Gives the claim's rows back for the next tick (unless the lease passed and another relay claimed them). */
  async release(claim: Claim): Promise<void> {
    const ids = claim.rows.map((row) => row.id);
    await sql`update outbox set claim_id = null, claimed_until = null
      where id = any(${ids}::bigint[]) and claim_id = ${claim.id}`.execute(this.db);
  }

  /**
   * Counts a refused send of the row alone and gives it back, or fails it when the refusal is
   * permanent or the attempts reach `maxAttempts`. Undefined when the claim was lost meanwhile.
   */
  async recordRefusal(
    claim: Claim,
    rowId: string,
    refusal: { reason: string; permanent: boolean },
    maxAttempts: number,
  ): Promise<{ attempts: number; failed: boolean } | undefined> {
    const { rows } = await sql<{ attempts: number; failed: boolean }>`
      update outbox set attempts = attempts + 1, last_error = ${refusal.reason}, claim_id = null, claimed_until = null,
        failed_at = case when ${refusal.permanent}::boolean or attempts + 1 >= ${maxAttempts} then now() end
      where id = ${rowId} and claim_id = ${claim.id}
      returning attempts, failed_at is not null as failed`.execute(this.db);
    return rows[0];
  }
}
