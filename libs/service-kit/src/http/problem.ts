import { HttpException } from '@nestjs/common';

/** RFC 9457 problem details, as every error response of the services is shaped. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Field → messages, for requests whose fields were invalid. */
  errors?: Record<string, string[]>;
  /** The trace that served the request (also in the `traceresponse` header). */
  traceId?: string;
  [extension: string]: unknown;
}

/** Problem type URIs are URNs under tracehop's namespace; docs/services.md lists them. */
export const problemType = (name: string) => `urn:tracehop:problem:${name}`;

/** An HTTP error carrying its problem details: throw it from controllers and services. */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemDetails) {
    super(problem, problem.status);
  }

  static of(status: number, name: string, title: string, detail?: string, extensions: Record<string, unknown> = {}): ProblemException {
    return new ProblemException({ type: problemType(name), title, status, ...(detail ? { detail } : {}), ...extensions });
  }
}
