/**
 * Encodes the emulator's swagger 2 document as the protobuf message `openapi.v2.Document` of gnostic
 * (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto), the form client-go's discovery client asks for
 * (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) and parses with nothing else: older
 * kubectl (1.20, Debian's kubernetes-client) reads only this one for validation, `explain` and `diff`.
 * Only what the emulator's documents use is encoded: paths with their operations, parameters and responses,
 * definitions, and vendor extensions; `Any` values (defaults, enums, extensions) go as YAML text (JSON is YAML).
 */
type Json = Record<string, unknown>;

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

const bytesField = (number: number, bytes: Buffer): Buffer =>
  Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
const stringField = (number: number, value: unknown): Buffer =>
  typeof value === 'string' && value !== ''
    ? bytesField(number, Buffer.from(value, 'utf8'))
    : Buffer.alloc(0);
const boolField = (number: number, value: unknown): Buffer =>
  value === true ? Buffer.concat([varint(number << 3), varint(1)]) : Buffer.alloc(0);
const intField = (number: number, value: unknown): Buffer =>
  typeof value === 'number' && Number.isInteger(value) && value > 0
    ? Buffer.concat([varint(number << 3), varint(value)])
    : Buffer.alloc(0);
function doubleField(number: number, value: unknown): Buffer {
  if (typeof value !== 'number') return Buffer.alloc(0);
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return Buffer.concat([varint((number << 3) | 1), bytes]);
}
const messageField = (number: number, message: Buffer | undefined): Buffer =>
  message === undefined ? Buffer.alloc(0) : bytesField(number, message);
const strings = (number: number, values: unknown): Buffer[] =>
  Array.isArray(values) ? values.map((value) => stringField(number, value)) : [];

/** `Any { yaml = 2 }`. */
const any = (value: unknown): Buffer => stringField(2, JSON.stringify(value));
/** `NamedAny { name = 1, value = 2 }` for each `x-` key. */
const vendorExtensions = (number: number, object: Json): Buffer[] =>
  Object.entries(object)
    .filter(([key]) => key.startsWith('x-'))
    .map(([key, value]) =>
      bytesField(number, Buffer.concat([stringField(1, key), bytesField(2, any(value))])),
    );

function schema(value: Json): Buffer {
  const additional = value['additionalProperties'];
  const items = value['items'];
  const type = value['type'];
  const properties = (value['properties'] ?? {}) as Record<string, Json>;
  return Buffer.concat([
    stringField(1, value['$ref']),
    stringField(2, value['format']),
    stringField(3, value['title']),
    stringField(4, value['description']),
    ...(value['default'] === undefined ? [] : [bytesField(5, any(value['default']))]),
    doubleField(6, value['multipleOf']),
    doubleField(7, value['maximum']),
    boolField(8, value['exclusiveMaximum']),
    doubleField(9, value['minimum']),
    boolField(10, value['exclusiveMinimum']),
    intField(11, value['maxLength']),
    intField(12, value['minLength']),
    stringField(13, value['pattern']),
    intField(14, value['maxItems']),
    intField(15, value['minItems']),
    boolField(16, value['uniqueItems']),
    ...strings(19, value['required']),
    ...(Array.isArray(value['enum']) ? value['enum'].map((entry) => bytesField(20, any(entry))) : []),
    // AdditionalPropertiesItem { schema = 1 | boolean = 2 }
    ...(typeof additional === 'object' && additional !== null
      ? [bytesField(21, bytesField(1, schema(additional as Json)))]
      : typeof additional === 'boolean'
        ? [bytesField(21, Buffer.concat([varint(2 << 3), varint(additional ? 1 : 0)]))]
        : []),
    // TypeItem { repeated value = 1 }
    ...(type === undefined
      ? []
      : [bytesField(22, Buffer.concat(strings(1, Array.isArray(type) ? type : [type])))]),
    // ItemsItem { repeated schema = 1 }
    ...(typeof items === 'object' && items !== null
      ? [
          bytesField(
            23,
            Buffer.concat(
              (Array.isArray(items) ? items : [items]).map((item) => bytesField(1, schema(item as Json))),
            ),
          ),
        ]
      : []),
    ...(Array.isArray(value['allOf'])
      ? value['allOf'].map((entry) => bytesField(24, schema(entry as Json)))
      : []),
    // Properties { repeated NamedSchema additional_properties = 1 }
    ...(Object.keys(properties).length === 0
      ? []
      : [
          bytesField(
            25,
            Buffer.concat(
              Object.entries(properties).map(([name, property]) =>
                bytesField(1, named(name, schema(property))),
              ),
            ),
          ),
        ]),
    boolField(27, value['readOnly']),
    ...vendorExtensions(31, value),
  ]);
}

const named = (name: string, value: Buffer): Buffer =>
  Buffer.concat([stringField(1, name), bytesField(2, value)]);

function parameter(value: Json): Buffer {
  // ParametersItem { parameter = 1 } → Parameter { body_parameter = 1 | non_body_parameter = 2 }
  if (value['in'] === 'body') {
    const body = Buffer.concat([
      stringField(1, value['description']),
      stringField(2, value['name']),
      stringField(3, value['in']),
      boolField(4, value['required']),
      messageField(5, value['schema'] === undefined ? undefined : schema(value['schema'] as Json)),
    ]);
    return bytesField(1, bytesField(1, body));
  }
  // NonBodyParameter { query_parameter_sub_schema = 3 | path_parameter_sub_schema = 4 }
  const query = value['in'] === 'query';
  const sub = Buffer.concat([
    boolField(1, value['required']),
    stringField(2, value['in']),
    stringField(3, value['description']),
    stringField(4, value['name']),
    stringField(query ? 6 : 5, value['type']),
    boolField(query ? 20 : 19, value['uniqueItems']),
  ]);
  return bytesField(1, bytesField(2, bytesField(query ? 3 : 4, sub)));
}

function operation(value: Json): Buffer {
  const responses = (value['responses'] ?? {}) as Record<string, Json>;
  return Buffer.concat([
    ...strings(1, value['tags']),
    stringField(3, value['description']),
    stringField(5, value['operationId']),
    ...strings(6, value['produces']),
    ...strings(7, value['consumes']),
    ...((value['parameters'] ?? []) as Json[]).map((entry) => bytesField(8, parameter(entry))),
    // Responses { repeated NamedResponseValue response_code = 1 }; ResponseValue { response = 1 };
    // Response { description = 1, schema = 2 (SchemaItem { schema = 1 }) }
    bytesField(
      9,
      Buffer.concat(
        Object.entries(responses).map(([code, response]) =>
          bytesField(
            1,
            named(
              code,
              bytesField(
                1,
                Buffer.concat([
                  stringField(1, response['description']),
                  messageField(
                    2,
                    response['schema'] === undefined
                      ? undefined
                      : bytesField(1, schema(response['schema'] as Json)),
                  ),
                ]),
              ),
            ),
          ),
        ),
      ),
    ),
    ...vendorExtensions(13, value),
  ]);
}

const PATH_ITEM_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, patch: 8 };

/** Encodes a swagger 2 document (as built by `openApiDocuments`) as gnostic's `openapi.v2.Document`. */
export function encodeOpenApiV2Protobuf(document: Json): Buffer {
  const info = (document['info'] ?? {}) as Json;
  const paths = (document['paths'] ?? {}) as Record<string, Record<string, Json>>;
  const definitions = (document['definitions'] ?? {}) as Record<string, Json>;
  return Buffer.concat([
    stringField(1, document['swagger']),
    bytesField(2, Buffer.concat([stringField(1, info['title']), stringField(2, info['version'])])),
    // Paths { repeated NamedPathItem path = 2 }
    bytesField(
      8,
      Buffer.concat(
        Object.entries(paths).map(([path, methods]) =>
          bytesField(
            2,
            named(
              path,
              Buffer.concat(
                Object.entries(methods).map(([method, value]) =>
                  bytesField(PATH_ITEM_FIELDS[method] ?? 0, operation(value)),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
    // Definitions { repeated NamedSchema additional_properties = 1 }
    bytesField(
      9,
      Buffer.concat(
        Object.entries(definitions).map(([name, value]) => bytesField(1, named(name, schema(value)))),
      ),
    ),
  ]);
}
