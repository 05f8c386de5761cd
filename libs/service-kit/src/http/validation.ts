import { applyDecorators, ValidationPipe, type PipeTransform, type ValidationError } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions, type SchemaObject } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
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

/**
 * A UUID as RFC 9562 defines it (versions 1-8 in the RFC variant, the nil and the max UUID), as
 * class-validator's IsUUID() accepts it: the one rule for ids in bodies, queries and paths,
 * spelled out so that the OpenAPI documents carry it as a pattern.
 */
const UUID =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|0{8}-0{4}-0{4}-0{4}-0{12}|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$/;

/** The schema of a UUID, for `@ApiParam({ name: 'id', schema: UUID_SCHEMA })` beside uuidParam. */
export const UUID_SCHEMA: SchemaObject = { type: 'string', format: 'uuid', pattern: UUID.source };

/** A UUID route parameter; anything else is a 400 naming the parameter. Use: @Param('id', uuidParam('id')). */
export function uuidParam(name: string): PipeTransform<string, string> {
  return {
    transform(value) {
      if (UUID.test(value)) return value;
      throw validationProblem({ [name]: [`${name} must be a UUID`] });
    },
  };
}

/** A UUID field of a body or query DTO, validated and documented from one definition. */
export function UuidProperty(options: ApiPropertyOptions = {}): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: String, format: 'uuid', pattern: UUID.source, ...options }),
    Matches(UUID, { message: '$property must be a UUID' }),
  );
}

/** Postgres text cannot hold U+0000: refused as invalid input (400) instead of failing the INSERT (500). */
// eslint-disable-next-line no-control-regex -- U+0000 is the very character refused
const WITHOUT_NUL = /^[^\u0000]*$/;

/**
 * A string field stored as Postgres text, validated and documented from one definition: a string
 * of `minLength`–`maxLength` characters without U+0000.
 */
export function TextProperty(options: ApiPropertyOptions & { minLength: number; maxLength: number }): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: String, pattern: WITHOUT_NUL.source, ...options }),
    IsString(),
    Length(options.minLength, options.maxLength),
    Matches(WITHOUT_NUL, { message: '$property must not contain U+0000' }),
  );
}
