import { ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { fieldErrors } from '@tracehop/contracts';
import { ProblemException } from './problem';

export function validationProblem(errors: Record<string, string[]>): ProblemException {
  return ProblemException.of(
    400,
    'validation',
    'Request is invalid',
    Object.entries(errors)
      .map(([field, messages]) => `${field}: ${messages.join(', ')}`)
      .join('; '),
    { errors },
  );
}

/** Bodies, params and queries validated by their DTO classes; unknown fields are refused by name. */
export function requestValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) => validationProblem(fieldErrors(errors)),
  });
}

/** A UUID route parameter; anything else is a 400 naming the parameter. Use: @Param('id', uuidParam('id')). */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => validationProblem({ [name]: [`${name} must be a UUID`] }) });
}
