import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBody, ApiParam, ApiProperty, DocumentBuilder, SwaggerModule, type OpenAPIObject, type SchemaObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { ApiProblemResponses, closeRequestBodySchemas } from '../src/http/openapi';
import { ProblemException } from '../src/http/problem';
import { requestValidationPipe, TextProperty, UUID_SCHEMA, uuidParam, UuidProperty } from '../src/http/validation';

class LineDto {
  @TextProperty({ minLength: 1, maxLength: 8 })
  sku!: string;
}

class PlaceDto {
  @UuidProperty()
  userId!: string;

  @ApiProperty({ type: [LineDto] })
  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines!: LineDto[];
}

@Controller('things')
class ThingsController {
  @Post()
  @ApiProblemResponses({ 400: 'invalid body' })
  place(@Body() body: PlaceDto) {
    return body;
  }

  @Post('free')
  @ApiBody({ schema: { type: 'object', additionalProperties: { type: 'number' } } })
  free(@Body() body: unknown) {
    return body;
  }

  @Get(':id')
  @ApiParam({ name: 'id', schema: UUID_SCHEMA })
  @ApiProblemResponses({ 400: 'not a UUID', 404: 'no such thing' })
  get(@Param('id', uuidParam('id')) id: string) {
    return id;
  }
}

async function documentOf(): Promise<OpenAPIObject> {
  const module = await Test.createTestingModule({ controllers: [ThingsController] }).compile();
  const app = module.createNestApplication({ logger: false });
  await app.init();
  const document = closeRequestBodySchemas(SwaggerModule.createDocument(app, new DocumentBuilder().build()));
  await app.close();
  return document;
}

const validate = (body: unknown) => requestValidationPipe().transform(body, { type: 'body', metatype: PlaceDto });
const refusal = (body: unknown) =>
  validate(body).then(
    () => undefined,
    (error: ProblemException) => error.problem.errors,
  );

describe('OpenAPI helpers', () => {
  let document: OpenAPIObject;
  const schema = (name: string) => document.components!.schemas![name] as SchemaObject;

  beforeAll(async () => {
    document = await documentOf();
  });

  it('documents problem responses as application/problem+json, 500 included', () => {
    const responses = document.paths['/things/{id}'].get!.responses;
    expect(Object.keys(responses).sort()).toEqual(['400', '404', '500']);
    expect(responses['404']).toEqual({
      description: 'no such thing',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
    });
    expect(schema('ProblemDetails').required).toEqual(['type', 'title', 'status']);
  });

  it('closes the DTO schemas of request bodies, nested ones too, and leaves inline schemas alone', () => {
    expect(schema('PlaceDto').additionalProperties).toBe(false);
    expect(schema('LineDto').additionalProperties).toBe(false);
    expect(schema('ProblemDetails').additionalProperties).toBeUndefined();
    const free = document.paths['/things/free'].post!.requestBody as { content: Record<string, { schema: SchemaObject }> };
    expect(free.content['application/json'].schema.additionalProperties).toEqual({ type: 'number' });
  });

  it('documents what TextProperty and UuidProperty validate', async () => {
    expect(schema('LineDto').properties!.sku).toMatchObject({ type: 'string', minLength: 1, maxLength: 8, pattern: '^[^\\u0000]*$' });
    expect(schema('PlaceDto').properties!.userId).toEqual({ type: 'string', format: 'uuid', pattern: UUID_SCHEMA.pattern });
    await expect(validate({ userId: randomUUID(), lines: [{ sku: 'TEA' }] })).resolves.toBeInstanceOf(PlaceDto);
    expect(await refusal({ userId: randomUUID(), lines: [{ sku: 'T\u0000' }] })).toEqual({
      'lines.0.sku': ['sku must not contain U+0000'],
    });
    expect(await refusal({ userId: '12345678-1234-1234-1234-123456789abc', lines: [] })).toEqual({ userId: ['userId must be a UUID'] });
  });

  it('uuidParam accepts exactly the UUIDs UUID_SCHEMA describes', () => {
    const pipe = uuidParam('id');
    const pattern = new RegExp(UUID_SCHEMA.pattern!);
    for (const id of [randomUUID(), randomUUID().toUpperCase(), '00000000-0000-0000-0000-000000000000']) {
      expect(pattern.test(id)).toBe(true);
      expect(pipe.transform(id, { type: 'param' })).toBe(id);
    }
    for (const id of ['nope', '12345678-1234-1234-1234-123456789abc', `${randomUUID()}0`]) {
      expect(pattern.test(id)).toBe(false);
      expect(() => pipe.transform(id, { type: 'param' })).toThrow(ProblemException);
    }
  });
});
