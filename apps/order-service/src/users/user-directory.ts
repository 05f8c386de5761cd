import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';
import { ProblemException } from '@tracehop/service-kit';

/**
 * user-service over HTTP (axios through Node's http module, so the call is a client span and the
 * trace continues into user-service). An unknown user is the client's mistake (422); user-service
 * being down or slow is ours (503), never a 500.
 */
@Injectable()
export class UserDirectory {
  constructor(private readonly http: HttpService) {}

  async assertExists(userId: string): Promise<void> {
    try {
      await firstValueFrom(this.http.get(`/users/${encodeURIComponent(userId)}`));
    } catch (error) {
      if (isAxiosError(error) && error.response?.status === 404) {
        throw ProblemException.of(422, 'unknown-user', 'Unknown user', `No user has id ${userId}.`, {
          errors: { userId: ['no such user'] },
        });
      }
      throw ProblemException.of(
        503,
        'user-service-unavailable',
        'Cannot check the user right now',
        isAxiosError(error) ? `user-service: ${error.code ?? error.response?.status ?? error.message}` : undefined,
      );
    }
  }
}
