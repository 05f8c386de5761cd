import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';

/** The media type of every error response (ProblemDetailsFilter). */
export const PROBLEM_JSON = 'application/problem+json';

/** RFC 9457 problem details as ProblemDetailsFilter writes them; other members are extensions (health checks). */
@ApiSchema({ name: 'ProblemDetails', description: 'RFC 9457 problem details' })
export class ProblemDetailsSchema {
  @ApiProperty({
    description: 'urn:tracehop:problem:<name>, or about:blank for framework errors',
    example: 'urn:tracehop:problem:validation',
  })
  type!: string;

  @ApiProperty({ example: 'Request is invalid' })
  title!: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 })
  status!: number;

  @ApiPropertyOptional()
  detail?: string;

  @ApiPropertyOptional({ description: 'The request path', example: '/orders' })
  instance?: string;

  @ApiPropertyOptional({
    description: 'Field (body path, query or path parameter, header) → messages',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { 'items.0.quantity': ['quantity must not be less than 1'] },
  })
  errors?: Record<string, string[]>;

  @ApiPropertyOptional({ description: 'The trace that served the request; present whenever telemetry is on', pattern: '^[0-9a-f]{32}$' })
  traceId?: string;
}

/**
 * Documents the error statuses a route answers, each as application/problem+json with the
 * ProblemDetails schema: `@ApiProblemResponses({ 400: 'Invalid body', 404: 'No such order' })`.
 * List what the route really returns, no more; 500 is always added, since ProblemDetailsFilter
 * answers anything unexpected (Postgres unreachable, a bug) with one. On a controller class it
 * applies to every route of it.
 */
export function ApiProblemResponses(responses: Record<number, string>): MethodDecorator & ClassDecorator {
  const documented = {
    500: 'Unexpected failure (e.g. Postgres unreachable): a fixed detail, the cause is in the trace and the log',
    ...responses,
  };
  return applyDecorators(
    ApiExtraModels(ProblemDetailsSchema),
    ...Object.entries(documented).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description,
        content: { [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemDetailsSchema) } } },
      }),
    ),
  );
}

/**
 * Marks every class schema reached from a JSON request body `additionalProperties: false`: the
 * validation pipe (forbidNonWhitelisted) refuses unknown fields of every DTO, nested ones included,
 * and Nest's swagger has no class-level switch for it. Inline body schemas (not DTO classes, not
 * validated by the pipe) are left as their route describes them.
 */
export function closeRequestBodySchemas(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  const closed = new Set<string>();
  const close = (schema: SchemaObject | ReferenceObject | undefined): void => {
    if (!schema) return;
    if ('$ref' in schema) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const target = schemas[name];
      if (closed.has(name) || !target || '$ref' in target) return;
      closed.add(name);
      target.additionalProperties = false;
      Object.values(target.properties ?? {}).forEach(close);
      return;
    }
    close(schema.items);
    schema.allOf?.forEach(close);
  };
  for (const path of Object.values(document.paths))
    for (const operation of [path.post, path.put, path.patch]) {
      const body = operation?.requestBody;
      if (body && !('$ref' in body)) close(body.content['application/json']?.schema);
    }
  return document;
}
