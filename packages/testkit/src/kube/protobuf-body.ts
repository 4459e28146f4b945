import { statusError } from './kube-status.js';

/**
 * The Kubernetes protobuf envelope (k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the 4-byte magic
 * `k8s\0`, then a `runtime.Unknown` message { typeMeta = 1 { apiVersion = 1, kind = 2 }, raw = 2,
 * contentEncoding = 3, contentType = 4 } whose `raw` holds the object's own message.
 */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** How one protobuf field maps to JSON. */
type FieldSpec =
  | { json: string; kind: 'string' | 'int' | 'bool' | 'bytes' }
  | { json: string; kind: 'message'; message: MessageSpec }
  | { json: string; kind: 'map-string' | 'map-bytes' }
  | { json: string; kind: 'repeated-string' }
  | { json: string; kind: 'repeated-message'; message: MessageSpec };

type MessageSpec = Record<number, FieldSpec>;

// Field numbers from k8s.io/api core/v1 and k8s.io/apimachinery meta/v1 generated.proto.
const OWNER_REFERENCE: MessageSpec = {
  1: { json: 'kind', kind: 'string' },
  3: { json: 'name', kind: 'string' },
  4: { json: 'uid', kind: 'string' },
  5: { json: 'apiVersion', kind: 'string' },
  6: { json: 'controller', kind: 'bool' },
  7: { json: 'blockOwnerDeletion', kind: 'bool' },
};
const OBJECT_META: MessageSpec = {
  1: { json: 'name', kind: 'string' },
  2: { json: 'generateName', kind: 'string' },
  3: { json: 'namespace', kind: 'string' },
  5: { json: 'uid', kind: 'string' },
  6: { json: 'resourceVersion', kind: 'string' },
  7: { json: 'generation', kind: 'int' },
  11: { json: 'labels', kind: 'map-string' },
  12: { json: 'annotations', kind: 'map-string' },
  13: { json: 'ownerReferences', kind: 'repeated-message', message: OWNER_REFERENCE },
  14: { json: 'finalizers', kind: 'repeated-string' },
};
const LOCAL_OBJECT_REFERENCE: MessageSpec = { 1: { json: 'name', kind: 'string' } };
const OBJECT_REFERENCE: MessageSpec = {
  1: { json: 'kind', kind: 'string' },
  2: { json: 'namespace', kind: 'string' },
  3: { json: 'name', kind: 'string' },
  4: { json: 'uid', kind: 'string' },
  5: { json: 'apiVersion', kind: 'string' },
};

/** The built-in kinds `kubectl create <kind>` sends as protobuf and the emulator stores. */
const KINDS: Record<string, MessageSpec> = {
  ConfigMap: {
    1: { json: 'metadata', kind: 'message', message: OBJECT_META },
    2: { json: 'data', kind: 'map-string' },
    3: { json: 'binaryData', kind: 'map-bytes' },
    4: { json: 'immutable', kind: 'bool' },
  },
  Secret: {
    1: { json: 'metadata', kind: 'message', message: OBJECT_META },
    2: { json: 'data', kind: 'map-bytes' },
    3: { json: 'type', kind: 'string' },
    4: { json: 'stringData', kind: 'map-string' },
    5: { json: 'immutable', kind: 'bool' },
  },
  Namespace: {
    1: { json: 'metadata', kind: 'message', message: OBJECT_META },
    2: {
      json: 'spec',
      kind: 'message',
      message: { 1: { json: 'finalizers', kind: 'repeated-string' } },
    },
  },
  ServiceAccount: {
    1: { json: 'metadata', kind: 'message', message: OBJECT_META },
    2: { json: 'secrets', kind: 'repeated-message', message: OBJECT_REFERENCE },
    3: { json: 'imagePullSecrets', kind: 'repeated-message', message: LOCAL_OBJECT_REFERENCE },
    4: { json: 'automountServiceAccountToken', kind: 'bool' },
  },
};

interface WireField {
  number: number;
  wireType: number;
  varint: bigint;
  bytes: Buffer;
}

function invalid(detail: string): never {
  throw statusError(400, 'BadRequest', `the request body is not a valid protobuf object: ${detail}`);
}

function readVarint(buffer: Buffer, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let index = start; index < buffer.length && shift < 70n; index += 1) {
    const byte = buffer[index] ?? 0;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: index + 1 };
    shift += 7n;
  }
  return invalid('truncated varint');
}

function readFields(buffer: Buffer): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const key = readVarint(buffer, offset);
    const number = Number(key.value >> 3n);
    const wireType = Number(key.value & 7n);
    offset = key.next;
    if (wireType === 0) {
      const value = readVarint(buffer, offset);
      fields.push({ number, wireType, varint: value.value, bytes: Buffer.alloc(0) });
      offset = value.next;
    } else if (wireType === 2) {
      const length = readVarint(buffer, offset);
      const end = length.next + Number(length.value);
      if (end > buffer.length) invalid('truncated field');
      fields.push({ number, wireType, varint: 0n, bytes: buffer.subarray(length.next, end) });
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      offset += wireType === 1 ? 8 : 4;
    } else invalid(`unsupported wire type ${wireType}`);
  }
  return fields;
}

function decodeMapEntry(bytes: Buffer, binaryValue: boolean): [string, string] {
  let key = '';
  let value = '';
  for (const field of readFields(bytes)) {
    if (field.number === 1) key = field.bytes.toString('utf8');
    if (field.number === 2)
      value = binaryValue ? field.bytes.toString('base64') : field.bytes.toString('utf8');
  }
  return [key, value];
}

function decodeMessage(bytes: Buffer, spec: MessageSpec): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of readFields(bytes)) {
    const target = spec[field.number];
    // Fields the emulator does not model (managedFields, timestamps a client must not set) are dropped.
    if (target === undefined) continue;
    switch (target.kind) {
      // Go's generated marshallers write every non-pointer string and integer, empty ones included; JSON omits
      // them (`omitempty`), so an empty value is an absent field.
      case 'string':
        if (field.bytes.length > 0) result[target.json] = field.bytes.toString('utf8');
        break;
      case 'bytes':
        result[target.json] = field.bytes.toString('base64');
        break;
      case 'int':
        if (field.varint !== 0n) result[target.json] = Number(field.varint);
        break;
      case 'bool':
        result[target.json] = field.varint !== 0n;
        break;
      case 'message':
        result[target.json] = decodeMessage(field.bytes, target.message);
        break;
      case 'map-string':
      case 'map-bytes': {
        const map = (result[target.json] as Record<string, string> | undefined) ?? {};
        const [key, value] = decodeMapEntry(field.bytes, target.kind === 'map-bytes');
        map[key] = value;
        result[target.json] = map;
        break;
      }
      case 'repeated-string':
        result[target.json] = [
          ...((result[target.json] as string[] | undefined) ?? []),
          field.bytes.toString('utf8'),
        ];
        break;
      case 'repeated-message':
        result[target.json] = [
          ...((result[target.json] as unknown[] | undefined) ?? []),
          decodeMessage(field.bytes, target.message),
        ];
        break;
    }
  }
  return result;
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` request body of a built-in kind into its JSON form. The API
 * server accepts protobuf for every built-in kind and kubectl's typed clients (`kubectl create configmap`,
 * `create secret`, `create namespace`, `create serviceaccount`) send it; client-go does not fall back to JSON on
 * a 415 for protobuf, so the emulator reads it. Only the kinds listed above are decoded.
 *
 * @throws KubeEmulatorStatusError 415 for a kind the emulator cannot decode (as the API server answers protobuf
 *   for a custom resource), 400 for a malformed body.
 */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC))
    invalid('missing the k8s protobuf prefix');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const field of readFields(body.subarray(MAGIC.length))) {
    if (field.number === 1) {
      for (const typeField of readFields(field.bytes)) {
        if (typeField.number === 1) apiVersion = typeField.bytes.toString('utf8');
        if (typeField.number === 2) kind = typeField.bytes.toString('utf8');
      }
    }
    if (field.number === 2) raw = field.bytes;
  }
  const spec = apiVersion === 'v1' ? KINDS[kind] : undefined;
  if (spec === undefined) {
    throw statusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf only for core/v1 ${Object.keys(KINDS).join(', ')})`,
    );
  }
  return { apiVersion, kind, ...decodeMessage(raw, spec) };
}
