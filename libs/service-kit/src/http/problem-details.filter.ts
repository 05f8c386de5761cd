import { Catch, HttpException, HttpStatus, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'winston';
import { activeTraceId } from '@tracehop/telemetry';
import { LOGGER } from '../logging';
import { PROBLEM_JSON } from './openapi';
import { ProblemException, type ProblemDetails } from './problem';

function toProblem(exception: unknown): ProblemDetails {
  if (exception instanceof ProblemException) return exception.problem;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    // Nest's own bodies are { statusCode, message, error }; anything else (terminus' health report) is kept as extensions under the problem's own fields.
    const {
      statusCode: _status,
      message,
      error: _error,
      ...rest
    } = typeof body === 'string' ? { message: body } : (body as Record<string, unknown>);
    return {
      ...rest,
      type: 'about:blank',
      title: HttpStatus[status]?.replace(/_/g, ' ').toLowerCase() ?? 'error',
      status,
      ...(message ? { detail: Array.isArray(message) ? message.join('; ') : String(message) } : {}),
    };
  }
  return {
    type: 'about:blank',
    title: 'internal server error',
    status: 500,
    detail: 'The service failed to handle the request; the trace and the log have the cause.',
  };
}

/**
 * Every error response is application/problem+json (RFC 9457). Client mistakes keep their 4xx
 * (Nest already turns body-parser failures, such as malformed JSON, into 400 HttpExceptions);
 * anything unexpected is a 500 whose cause goes to the log (and the span), never to the client.
 * Each carries the request's trace id (`traceId`), so a failed request leads to its trace.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const traceId = activeTraceId();
    const problem = { ...toProblem(exception), instance: request.originalUrl, ...(traceId ? { traceId } : {}) };
    if (problem.status >= 500)
      this.logger.error('request failed', {
        method: request.method,
        route: request.route?.path,
        error: exception instanceof Error ? exception.stack : String(exception),
      });
    response.status(problem.status).type(PROBLEM_JSON).send(JSON.stringify(problem));
  }
}
