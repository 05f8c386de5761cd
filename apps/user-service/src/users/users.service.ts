import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'winston';
import { newEvent, TOPICS, UserRegisteredV1 } from '@tracehop/contracts';
import { DATABASE, enqueueEvent, isUniqueViolation, LOGGER, ProblemException } from '@tracehop/service-kit';
import type { UserDatabase, UserOrderStatsTable, UserTable } from '../database/schema';
import type { RegisterUserDto } from './register-user.dto';
import { UserMetrics } from './user-metrics';
import type { UserView } from './user.view';

@Injectable()
export class UsersService {
  constructor(
    @Inject(DATABASE) private readonly db: Kysely<UserDatabase>,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: UserMetrics,
  ) {}

  /** Stores the user and its user-registered event in one transaction; a taken e-mail is a 409. */
  async register(request: RegisterUserDto): Promise<UserView> {
    const id = randomUUID();
    let user: Selectable<UserTable>;
    try {
      user = await this.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('app_user')
          .values({ id, email: request.email, name: request.name })
          .returningAll()
          .executeTakeFirstOrThrow();
        await enqueueEvent(trx, {
          topic: TOPICS.userRegistered,
          type: UserRegisteredV1,
          event: newEvent(UserRegisteredV1, { userId: id }),
          key: id,
        });
        return inserted;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw ProblemException.of(409, 'duplicate-email', 'E-mail already registered', 'A user with this e-mail address exists.', {
          errors: { email: ['is already registered'] },
        });
      }
      throw error;
    }
    this.metrics.registered.add(1);
    // No e-mail in the log: the user id is enough to find the record (PII stays in the database).
    this.logger.info('user registered', { user_id: id });
    return userView(user, []); // a new user has no confirmed orders yet
  }

  async get(id: string): Promise<UserView> {
    const user = await this.db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
    if (!user) throw ProblemException.of(404, 'user-not-found', 'No such user', `No user has id ${id}.`);
    const stats = await this.db.selectFrom('user_order_stats').selectAll().where('user_id', '=', id).orderBy('currency').execute();
    return userView(user, stats);
  }
}

function userView(user: Selectable<UserTable>, stats: Selectable<UserOrderStatsTable>[]): UserView {
  const lastConfirmed = stats.length ? Math.max(...stats.map((row) => row.last_confirmed_at.getTime())) : undefined;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    createdAt: user.created_at.toISOString(),
    orders: {
      confirmed: stats.reduce((sum, row) => sum + row.confirmed_orders, 0),
      spent: stats.map((row) => ({ currency: row.currency, amountMinor: Number(row.confirmed_total_minor) })),
      lastConfirmedAt: lastConfirmed === undefined ? null : new Date(lastConfirmed).toISOString(),
    },
  };
}
