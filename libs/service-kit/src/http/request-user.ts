import { trace } from '@opentelemetry/api';
import { ATTR_USER_ID } from '@opentelemetry/semantic-conventions/incubating';

/**
 * Names the user a request is about on its span (`user.id`), so that a user's traces can be found
 * (`npm run traces -- --user <id>`). The id is a random UUID, no personal data: it is in the route
 * of GET /users/:id already.
 */
export function tagRequestUser(userId: string): void {
  trace.getActiveSpan()?.setAttribute(ATTR_USER_ID, userId);
}
