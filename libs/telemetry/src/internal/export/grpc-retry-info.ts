/**
 * The delay a gRPC server asks for in a google.rpc.RetryInfo detail of its status (trailer
 * `grpc-status-details-bin`), in milliseconds; undefined when it sent none. The OTLP exporters do not
 * decode status details, and protobufjs is not among their dependencies: reading three nested
 * messages does not warrant one, so this reads the protobuf wire format directly.
 */
export function retryInfoDelayMillis(error: unknown): number | undefined {
  const metadata = (error as { metadata?: { get?: (key: string) => unknown[] } } | undefined)?.metadata;
  const [status] = metadata?.get?.('grpc-status-details-bin') ?? [];
  if (!Buffer.isBuffer(status)) return undefined;
  try {
    for (const any of fields(status).filter((f) => f.number === 3 && Buffer.isBuffer(f.value))) {
      const parts = fields(any.value as Buffer);
      const typeUrl = parts.find((f) => f.number === 1)?.value;
      const value = parts.find((f) => f.number === 2)?.value;
      if (!Buffer.isBuffer(typeUrl) || !typeUrl.toString().endsWith('/google.rpc.RetryInfo') || !Buffer.isBuffer(value)) continue;
      const duration = fields(value).find((f) => f.number === 1)?.value;
      if (!Buffer.isBuffer(duration)) return undefined;
      const number = (n: number) => Number(fields(duration).find((f) => f.number === n)?.value ?? 0);
      return number(1) * 1000 + Math.round(number(2) / 1e6);
    }
  } catch {
    // Malformed details: as if the server had sent none.
  }
  return undefined;
}

interface Field {
  number: number;
  value: number | Buffer;
}

/** The top-level fields of a protobuf message: varints as numbers, length-delimited ones as bytes. */
function fields(bytes: Buffer): Field[] {
  const found: Field[] = [];
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      if (at >= bytes.length) throw new RangeError('truncated varint');
      const byte = bytes[at++];
      value += (byte & 127) * shift;
      if (byte < 128) return value;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const wireType = key % 8;
    const number = Math.floor(key / 8);
    if (wireType === 0) found.push({ number, value: varint() });
    else if (wireType === 2) {
      const length = varint();
      if (at + length > bytes.length) throw new RangeError('truncated field');
      found.push({ number, value: bytes.subarray(at, (at += length)) });
    } else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else throw new RangeError(`unsupported wire type ${wireType}`);
  }
  return found;
}
