import { randomUUID } from 'node:crypto';
import { ProblemException, type ProblemDetails } from '../../../libs/service-kit/src/http/problem';
import { requestValidationPipe } from '../../../libs/service-kit/src/http/validation';
import { CreateOrderDto, OrderItemDto } from '../src/orders/create-order.dto';

const validBody = () => ({
  userId: randomUUID(),
  currency: 'EUR',
  items: [{ sku: 'SKU-TEA-01', quantity: 2, unitPriceMinor: 450 }],
});

/** Runs a body through the pipe every service installs (APP_PIPE), as Nest does for `@Body() body: CreateOrderDto`. */
const validate = (body: unknown): Promise<unknown> => requestValidationPipe().transform(body, { type: 'body', metatype: CreateOrderDto });

/** The problem details of a refused body (fails the test when the body is accepted). */
async function refused(body: unknown): Promise<ProblemDetails & { errors: Record<string, string[]> }> {
  const error = await validate(body).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ProblemException))
    throw new Error(`expected a ProblemException, got ${error === undefined ? 'success' : String(error)}`);
  expect(error.getStatus()).toBe(400);
  return error.problem as ProblemDetails & { errors: Record<string, string[]> };
}

describe('CreateOrderDto through the request validation pipe', () => {
  it('accepts a valid body and transforms it into the DTO classes', async () => {
    const body = validBody();
    const dto = await validate(body);
    expect(dto).toBeInstanceOf(CreateOrderDto);
    expect((dto as CreateOrderDto).items[0]).toBeInstanceOf(OrderItemDto);
    expect(dto).toEqual(body);
  });

  it('accepts the bounds: one item, quantity 1 and 1000, price 0', async () => {
    const body = {
      ...validBody(),
      items: [
        { sku: 'A', quantity: 1, unitPriceMinor: 0 },
        { sku: 'B'.repeat(64), quantity: 1000, unitPriceMinor: 100_000_000 },
      ],
    };
    await expect(validate(body)).resolves.toBeInstanceOf(CreateOrderDto);
  });

  it('answers a validation problem (RFC 9457) with messages keyed by field', async () => {
    const problem = await refused({ ...validBody(), currency: 'JPY' });
    expect(problem).toMatchObject({ type: 'urn:tracehop:problem:validation', title: 'Request is invalid', status: 400 });
    expect(Object.keys(problem.errors)).toEqual(['currency']);
    expect(problem.errors.currency).toEqual([expect.stringContaining('currency must be one of the following values: EUR, USD, GBP')]);
    expect(problem.detail).toMatch(/^currency: /);
  });

  it('names a bad userId', async () => {
    const { errors } = await refused({ ...validBody(), userId: 'not-a-uuid' });
    expect(Object.keys(errors)).toEqual(['userId']);
    expect(errors.userId).toEqual(['userId must be a UUID']);
  });

  it('keys item problems by their index: items.<n>.<field>', async () => {
    const body = {
      ...validBody(),
      items: [
        { sku: 'SKU-TEA-01', quantity: 2, unitPriceMinor: 450 },
        { sku: 'SKU-MUG-02', quantity: 0, unitPriceMinor: 1.5 },
        { sku: '', quantity: 1001, unitPriceMinor: -1 },
      ],
    };
    const { errors } = await refused(body);
    expect(Object.keys(errors).sort()).toEqual([
      'items.1.quantity',
      'items.1.unitPriceMinor',
      'items.2.quantity',
      'items.2.sku',
      'items.2.unitPriceMinor',
    ]);
    expect(errors['items.1.quantity']).toEqual(['quantity must not be less than 1']);
    expect(errors['items.2.quantity']).toEqual(['quantity must not be greater than 1000']);
    expect(errors['items.1.unitPriceMinor']).toEqual(['unitPriceMinor must be an integer number']);
    expect(errors['items.2.unitPriceMinor']).toEqual(['unitPriceMinor must not be less than 0']);
  });

  it('does not convert strings to numbers', async () => {
    const { errors } = await refused({ ...validBody(), items: [{ sku: 'SKU-TEA-01', quantity: '2', unitPriceMinor: 450 }] });
    expect(Object.keys(errors)).toEqual(['items.0.quantity']);
  });

  it('refuses an order without items, and one with more than 100', async () => {
    expect(Object.keys((await refused({ ...validBody(), items: [] })).errors)).toEqual(['items']);
    const many = Array.from({ length: 101 }, () => ({ sku: 'SKU', quantity: 1, unitPriceMinor: 1 }));
    expect((await refused({ ...validBody(), items: many })).errors.items).toEqual(['items must contain no more than 100 elements']);
  });

  it('refuses items that are not objects, by index', async () => {
    const { errors } = await refused({ ...validBody(), items: [{ sku: 'SKU-TEA-01', quantity: 2, unitPriceMinor: 450 }, null] });
    expect(Object.keys(errors)).toEqual(['items.1']);
  });

  it('names every missing field of an empty body', async () => {
    const { errors } = await refused({});
    expect(Object.keys(errors).sort()).toEqual(['currency', 'items', 'userId']);
  });

  it('refuses unknown fields by name, at the top level and inside items', async () => {
    const body = { ...validBody(), coupon: 'FREE', items: [{ sku: 'SKU-TEA-01', quantity: 2, unitPriceMinor: 450, discount: 100 }] };
    const { errors } = await refused(body);
    expect(errors).toEqual({ coupon: ['property coupon should not exist'], 'items.0.discount': ['property discount should not exist'] });
  });
});
