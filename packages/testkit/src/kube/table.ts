import { statusError } from './kube-status.js';
import type { KubeObject } from './object-store.js';
import { podStatusColumns } from './pod-columns.js';
import { type PrinterColumn, presentationOf } from './resource-presentation.js';
import type { ResourceType } from './resource-types.js';

/** What a `meta.k8s.io` Table request asked for. */
export interface TableRequest {
  /** `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`, the first the Accept header lists. */
  apiVersion: string;
  includeObject: 'None' | 'Metadata' | 'Object';
}

/**
 * Reads a Table request from `Accept` (kubectl get sends `application/json;as=Table;v=v1;g=meta.k8s.io,
 * application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`): the first acceptable entry wins, as in
 * the API server's content negotiation; an entry without `as=Table` first means a plain answer.
 *
 * @throws KubeEmulatorStatusError 400 for an `includeObject` other than None, Metadata or Object.
 */
export function tableRequestOf(accept: string | undefined, query: URLSearchParams): TableRequest | undefined {
  for (const entry of (accept ?? '').split(',')) {
    const [mediaType, ...parameterTexts] = entry.split(';').map((part) => part.trim());
    if (mediaType !== 'application/json' && mediaType !== '*/*' && mediaType !== 'application/*') continue;
    const parameters = new Map(
      parameterTexts.map((text) => {
        const [key = '', value = ''] = text.split('=');
        return [key.trim(), value.trim()] as const;
      }),
    );
    if (parameters.get('as') !== 'Table') return undefined;
    const version = parameters.get('v');
    if (parameters.get('g') !== 'meta.k8s.io' || (version !== 'v1' && version !== 'v1beta1')) continue;
    const includeObject = query.get('includeObject') ?? 'Metadata';
    if (includeObject !== 'None' && includeObject !== 'Metadata' && includeObject !== 'Object') {
      throw statusError(400, 'BadRequest', `includeObject: Unsupported value: "${includeObject}"`);
    }
    return { apiVersion: `meta.k8s.io/${version}`, includeObject };
  }
  return undefined;
}

/**
 * A duration as the API server prints an age (k8s.io/apimachinery/pkg/util/duration.HumanDuration): seconds up
 * to 2 minutes, then minutes(+seconds) below 10 minutes, minutes below 3 hours, hours(+minutes) below 8 hours,
 * hours below 2 days, days(+hours) below 8 days, days below 2 years, years(+days) below 8 years, then years;
 * more than a second in the future is `<invalid>`.
 */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.trunc(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** The time since an RFC 3339 timestamp as an age, `<unknown>` without one (translateTimestampSince). */
export function ageOf(timestamp: unknown, nowMs: number): string {
  const time = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  return Number.isNaN(time) ? '<unknown>' : humanDuration(nowMs - time);
}

/** Evaluates a CRD column's JSONPath (fields and `[?(@.key=="value")]` filters): the first match, if any. */
export function evaluateColumnPath(object: unknown, path: string): unknown {
  const segments = path.replace(/^\./, '').match(/[^.[\]]+|\[\?\(@\.[^)]+\)\]/g) ?? [];
  let values: unknown[] = [object];
  for (const segment of segments) {
    const filter = /^\[\?\(@\.(\w+)==["'](.*)["']\)\]$/.exec(segment);
    values = values.flatMap((value): unknown[] => {
      if (filter) {
        const items = Array.isArray(value) ? value : [];
        return items.filter(
          (item) => (item as Record<string, unknown> | null)?.[filter[1] ?? ''] === filter[2],
        );
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
      const child = (value as Record<string, unknown>)[segment];
      return child === undefined ? [] : [child];
    });
  }
  return values[0];
}

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

interface Columns {
  definitions: ColumnDefinition[];
  cells: (object: KubeObject, nowMs: number) => unknown[];
}

const column = (name: string, type: string, description: string, format = '', priority = 0) => ({
  name,
  type,
  format,
  description,
  priority,
});

const NAME = column('Name', 'string', 'Name must be unique within a namespace.', 'name');
const AGE = column(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);
const age = (object: KubeObject, nowMs: number): string => ageOf(object.metadata.creationTimestamp, nowMs);
const count = (value: unknown): number =>
  value !== null && typeof value === 'object' ? Object.keys(value).length : 0;

function customColumns(printerColumns: PrinterColumn[] | undefined): Columns {
  // A CRD without additionalPrinterColumns gets Name and Age (apiextensions-apiserver tableconvertor).
  if (printerColumns === undefined || printerColumns.length === 0) {
    return { definitions: [NAME, AGE], cells: (object, nowMs) => [object.metadata.name, age(object, nowMs)] };
  }
  return {
    definitions: [
      NAME,
      ...printerColumns.map((printer) =>
        column(printer.name, printer.type, printer.description ?? '', '', printer.priority ?? 0),
      ),
    ],
    cells: (object, nowMs) => [
      object.metadata.name,
      ...printerColumns.map((printer) => {
        const value = evaluateColumnPath(object, printer.jsonPath);
        if (value === undefined || value === null) return null;
        // Dates are printed as ages by the server (ConvertToHumanReadableDateType).
        if (printer.type === 'date') return ageOf(value, nowMs);
        return value;
      }),
    ],
  };
}

/** kubectl's columns for the core kinds (pkg/printers/internalversion/printers.go). */
function coreColumns(kind: string): Columns {
  switch (kind) {
    case 'Pod':
      return {
        definitions: [
          NAME,
          column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
          column('Status', 'string', 'The aggregate status of the containers in this pod.'),
          column(
            'Restarts',
            'string',
            'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
          ),
          AGE,
          column(
            'IP',
            'string',
            'IP address allocated to the pod. Routable at least within the cluster.',
            '',
            1,
          ),
          column('Node', 'string', 'Name of the node the pod is scheduled to.', '', 1),
        ],
        cells: (object, nowMs) => {
          const pod = podStatusColumns(object);
          const status = (object['status'] ?? {}) as Record<string, unknown>;
          const spec = (object['spec'] ?? {}) as Record<string, unknown>;
          return [
            object.metadata.name,
            pod.ready,
            pod.status,
            String(pod.restarts),
            age(object, nowMs),
            status['podIP'] ?? '<none>',
            spec['nodeName'] ?? '<none>',
          ];
        },
      };
    case 'ConfigMap':
      return {
        definitions: [
          NAME,
          column('Data', 'string', 'The number of entries in the data and binaryData.'),
          AGE,
        ],
        cells: (object, nowMs) => [
          object.metadata.name,
          count(object['data']) + count(object['binaryData']),
          age(object, nowMs),
        ],
      };
    case 'Secret':
      return {
        definitions: [
          NAME,
          column('Type', 'string', 'The type of the secret'),
          column('Data', 'string', 'The number of entries in the data'),
          AGE,
        ],
        cells: (object, nowMs) => [
          object.metadata.name,
          object['type'] ?? 'Opaque',
          count(object['data']),
          age(object, nowMs),
        ],
      };
    case 'Namespace':
      return {
        definitions: [NAME, column('Status', 'string', 'The status of the namespace'), AGE],
        cells: (object, nowMs) => [
          object.metadata.name,
          ((object['status'] ?? {}) as Record<string, unknown>)['phase'] ?? 'Active',
          age(object, nowMs),
        ],
      };
    case 'ServiceAccount':
      return {
        definitions: [
          NAME,
          column(
            'Secrets',
            'string',
            'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
          ),
          AGE,
        ],
        cells: (object, nowMs) => [
          object.metadata.name,
          Array.isArray(object['secrets']) ? object['secrets'].length : 0,
          age(object, nowMs),
        ],
      };
    case 'Event':
      return {
        definitions: [
          column('Last Seen', 'string', 'Time when last Event occurred'),
          column(
            'Type',
            'string',
            'Type of this event (Normal, Warning), new types could be added in the future.',
          ),
          column(
            'Reason',
            'string',
            'Short, machine understandable string that gives the reason for this event being generated.',
          ),
          column('Object', 'string', 'The object that this event is about.'),
          column('Message', 'string', 'A human-readable description of the status of this operation.'),
        ],
        cells: (object, nowMs) => {
          const involved = (object['involvedObject'] ?? {}) as Record<string, unknown>;
          const lastSeen =
            object['lastTimestamp'] ??
            object['eventTime'] ??
            object['firstTimestamp'] ??
            object.metadata.creationTimestamp;
          return [
            ageOf(lastSeen, nowMs),
            object['type'] ?? '',
            object['reason'] ?? '',
            `${String(involved['kind'] ?? '').toLowerCase()}/${String(involved['name'] ?? '')}`,
            object['message'] ?? '',
          ];
        },
      };
    default:
      return {
        definitions: [NAME, AGE],
        cells: (object, nowMs) => [object.metadata.name, age(object, nowMs)],
      };
  }
}

function columnsOf(type: ResourceType): Columns {
  return type.custom ? customColumns(presentationOf(type).printerColumns) : coreColumns(type.kind);
}

function rowObject(object: KubeObject, request: TableRequest): unknown {
  if (request.includeObject === 'None') return undefined;
  if (request.includeObject === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: request.apiVersion, metadata: object.metadata };
}

/**
 * Renders objects as a `meta.k8s.io` Table: column definitions, one row per object with its cells and (per
 * `includeObject`) the object, its metadata only, or nothing. Ages are computed against the emulator's clock.
 *
 * @example
 * ```ts
 * toTable(type, [pipelineRun], { resourceVersion: '12' }, { apiVersion: 'meta.k8s.io/v1', includeObject: 'Object' }, Date.now());
 * ```
 */
export function toTable(
  type: ResourceType,
  objects: readonly KubeObject[],
  listMetadata: Record<string, unknown>,
  request: TableRequest,
  nowMs: number,
): Record<string, unknown> {
  const columns = columnsOf(type);
  return {
    kind: 'Table',
    apiVersion: request.apiVersion,
    metadata: listMetadata,
    columnDefinitions: columns.definitions,
    rows: objects.map((object) => {
      const row: Record<string, unknown> = { cells: columns.cells(object, nowMs) };
      const included = rowObject(object, request);
      if (included !== undefined) row['object'] = included;
      return row;
    }),
  };
}
