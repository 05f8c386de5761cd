import { sql, type Kysely } from 'kysely';

/** Rows of one table that may be deleted once they are old enough. */
export interface RetentionRule {
  /** The table (also the `db.collection.name` of tracehop.retention.deleted). */
  table: string;
  /** The timestamptz column a row's age counts from; rows where it is null are kept (an unpublished outbox row). */
  timeColumn: string;
  /** Rows older than this are deleted. */
  maxAgeHours: number;
}

/**
 * Deletes at most `limit` of the rule's expired rows in one statement and returns how many: short
 * statements hold their row locks briefly, and rows another transaction has locked are skipped
 * (the next run takes them) instead of waited for.
 */
export async function deleteExpiredBatch(db: Kysely<unknown>, rule: RetentionRule, limit: number): Promise<number> {
  const table = sql.table(rule.table);
  const result = await sql`
    delete from ${table} where ctid = any(array(
      select ctid from ${table}
      where ${sql.ref(rule.timeColumn)} < now() - ${rule.maxAgeHours} * interval '1 hour'
      limit ${limit}
      for update skip locked))`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
