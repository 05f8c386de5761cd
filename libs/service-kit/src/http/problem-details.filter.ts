import { Catch, HttpException, HttpStatus, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'winston';
import { LOGGER } from '../logging';
import { ProblemException, problemType, type ProblemDetails } from './problem';

/** body-parser's errors (malformed JSON, body too large) carry a status and a type of their own. */
interface BodyParserError {
  status: number;
  type: string;
  message: string;
}

const isBodyParserError = (error: unknown): error is BodyParserError =>
  typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string' && typeof (error as BodyParserError).status === 'number';

function toProblem(exception: unknown): ProblemDetails {
  if (exception instanceof ProblemException) return exception.problem;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    return { type: 'about:blank', title: HttpStatus[status]?.replace(/_/g, ' ').toLowerCase() ?? 'error', status, ...(message ? { detail: Array.isArray(message) ? message.join('; ') : String(message) } : {}) };
  }
  if (isBodyParserError(exception) && exception.status >= 400 && exception.status < 500) {
    const malformed = exception.type === 'entity.parse.failed';
    return { type: problemType(malformed ? 'malformed-body' : 'unreadable-body'), title: malformed ? 'Request body is not valid JSON' : 'Request body cannot be read', status: exception.status, detail: exception.message };
  }
  return { type: 'about:blank', title: 'internal server error', status: 500, detail: 'The service failed to handle the request; the trace and the log have the cause.' };
}

/**
 * Every error response is application/problem+json (RFC 9457). Client mistakes keep their 4xx;
 * anything unexpected is a 500 whose cause goes to the log (and the span), never to the client.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = { ...toProblem(exception), instance: request.originalUrl };
    if (problem.status >= 500) this.logger.error('request failed', { method: request.method, route: request.route?.path, error: exception instanceof Error ? exception.stack : String(exception) });
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
